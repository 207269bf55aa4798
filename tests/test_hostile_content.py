"""Hostile file content: each such file gives its findings or one LL001, and every other file's
findings survive. Whole runs go through the CLI and flake8 in a subprocess, so a crash (SIGSEGV
from a native parser) fails the test instead of taking pytest down with it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from harness import NO_CACHE
from integration_helpers import run

from layerlint import engine
from layerlint.core.config import load_config

ROUTER = "from app.repositories.items import ItemRepository\n"  # LL101 on line 1
DEEP_BRACKETS = "value = " + "(" * 1500 + "1" + ")" * 1500 + "\n"
# ast stops at the newer-grammar line 1 and never sees the chain below; libcst used to.
DEEP_AFTER_NEWER_GRAMMAR = "type Ids = list[int]\nvalue = " + "-" * 20000 + "1\n"


def _project(root: Path, files: dict[str, bytes]) -> Path:
    (root / "pyproject.toml").write_text('[project]\nname = "hostile"\nversion = "0"\n')
    base = {"app/__init__.py": b"", "app/routers/__init__.py": b"", "app/repositories/__init__.py": b"",
            "app/repositories/items.py": b"class ItemRepository:\n    pass\n", "app/routers/items.py": ROUTER.encode()}
    for relative, data in {**base, **files}.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def _cli_findings(root: Path) -> set[tuple[str, int, str]]:
    completed = run(root, "layerlint", "check", "--no-cache", "--select", "LL001,LL101", "--format", "json", ".")
    assert completed.returncode == 1, completed.stderr
    return {(d["path"], d["line"], d["code"]) for d in json.loads(completed.stdout)}


def test_deeply_nested_files_are_ll001_and_the_run_goes_on(tmp_path: Path) -> None:
    root = _project(tmp_path, {"app/routers/brackets.py": DEEP_BRACKETS.encode(),
                               "app/routers/chain.py": DEEP_AFTER_NEWER_GRAMMAR.encode()})
    assert _cli_findings(root) == {("app/routers/items.py", 1, "LL101"), ("app/routers/brackets.py", 1, "LL001"),
                                   ("app/routers/chain.py", 1, "LL001")}
    completed = run(root, "flake8", "--select", "LL", "app")  # its pool hung when a worker died
    assert completed.returncode == 1, completed.stderr
    assert "app/routers/items.py:1:1: LL101" in completed.stdout


def test_a_crash_of_the_fallback_parser_is_one_ll001() -> None:
    """With the depth estimate out of the way, libcst overflows its stack on 6,000 `lambda:`:
    the forked child dies, the parse fails cleanly."""
    script = ("import layerlint.project.reading.parsing as parsing\n"
              "parsing.MAX_FALLBACK_DEPTH = 10 ** 9\n"
              "print(repr(parsing.parse_source('type T = int\\nx = ' + 'lambda: ' * 6000 + '1\\n')))\n")
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("ParseFailure(message='syntax error: invalid syntax', line=1")


@pytest.mark.parametrize("source", [DEEP_BRACKETS, DEEP_AFTER_NEWER_GRAMMAR])
def test_deep_input_never_reaches_the_fallback_parser(source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from layerlint.project.reading import parsing

    def never(source: str) -> str | None:
        raise AssertionError("handed to libcst")

    monkeypatch.setattr(parsing, "lower_newer_syntax", never)
    assert isinstance(parsing.parse_source(source), parsing.ParseFailure)


def test_newer_grammar_with_long_but_analysable_chains_is_still_lowered() -> None:
    from layerlint.project.reading.parsing import ParsedModule, parse_source

    source = ("type Ids = list[int]\ntotal = " + "1 + " * 300 + "1\nnames = [" + "'a', " * 1500 + "]\n"
              + "table = {" + "'k': f(x)[0].y, " * 500 + "}\n")
    parsed = parse_source(source)
    assert isinstance(parsed, ParsedModule) and parsed.lowered


IMPORT = b"from app.repositories.items import ItemRepository\n"
# 5 MB: mostly comments and a docstring (their size, not their analysis, is the point), 2,000 functions.
FIVE_MEGABYTES = b"".join(b"def handler_%d(item: int) -> int:\n    return item * 2 + %d\n\n\n" % (i, i) for i in range(2000)) + (
    b"# " + b"c" * 97 + b"\n") * 25_000 + b'"""' + b"d" * 2_500_000 + b'"""\n'

# name: (the file's bytes, the line of its LL101 when analysed, or None when it must be one LL001)
HOSTILE: dict[str, tuple[bytes, int | None]] = {
    "syntax_error": (IMPORT + b"def create(:\n    pass\n", None),
    "null_byte": (IMPORT + b"x = 1\x00\n", None),
    "binary": (bytes(range(256)) * 8, None),
    "bom": (b"\xef\xbb\xbf" + IMPORT, 1),
    "latin1_with_cookie": (b"# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n" + IMPORT, 3),
    "latin1_without_cookie": (b"name = 'caf\xe9'\n" + IMPORT, None),
    "unknown_codec": (b"# coding: no-such-codec\n" + IMPORT, None),
    "crlf": (b"x = 1\r\ny = (\r\n    2\r\n)\r\n" + IMPORT.replace(b"\n", b"\r\n"), 5),
    "cr_only": (b"x = 1\ry = 2\r" + IMPORT.replace(b"\n", b"\r"), 3),
    "tabs": (b"def f():\n\tif f:\n\t\treturn 1\n" + IMPORT, 4),
    "inconsistent_tabs": (IMPORT + b"def f():\n\tif f:\n        \treturn 1\n\t  return 2\n", None),
    "form_feed_and_unicode_names": (b"\x0c\ncaf\xc3\xa9 = 1\n" + IMPORT, 3),
    "nesting_1000_deep": (IMPORT + b"x = " + b"[" * 1000 + b"]" * 1000 + b"\n", None),
    "indentation_101_deep": (IMPORT + b"".join(b" " * i + b"if x:\n" for i in range(101)) + b" " * 101 + b"pass\n", None),
    "one_megabyte_line": (IMPORT + b"s = '" + b"x" * 1_000_000 + b"'\n", 1),
    "five_megabyte_module": (IMPORT + FIVE_MEGABYTES, 1),
    "empty": (b"", None),
    "type_statement_3_12": (b"type Ids[T] = list[T]\n" + IMPORT, 2),
    "pep695_generics_3_12": (b"class Box[T: int, *Ts, **P]:\n    def get[U](self, u: U) -> T: ...\n" + IMPORT, 3),
    "pep701_fstrings_3_12": (b'x = f"{"nested"} {f"{1}"}"\n' + IMPORT, 2),
    "except_star_3_11": (b"try:\n    pass\nexcept* ValueError:\n    pass\n" + IMPORT, 5),
    "except_without_parens_3_14": (b"try:\n    pass\nexcept ValueError, TypeError:\n    pass\n" + IMPORT, 5),
    "tstring_3_14": (b'greeting = t"hello {name}"\n' + IMPORT, 2),
}


@pytest.fixture(scope="module")
def hostile_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Circular imports among the project's own modules, for every case.
    return _project(tmp_path_factory.mktemp("hostile"), {
        "app/repositories/cycle_a.py": b"from app.repositories import cycle_b\n",
        "app/repositories/cycle_b.py": b"from app.repositories import cycle_a\nfrom app.repositories.cycle_b import x\n"})


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_gives_its_findings_or_one_ll001(hostile_project: Path, name: str) -> None:
    data, line = HOSTILE[name]
    relative = "app/routers/hostile.py"
    (hostile_project / relative).write_bytes(data)
    config = load_config(hostile_project).with_selection(("LL001", "LL101"), ())
    found = {(d.path, d.line, d.code) for d in engine.check(config, options=NO_CACHE).diagnostics}
    assert ("app/routers/items.py", 1, "LL101") in found  # the other files' findings survive
    own = {(n, code) for path, n, code in found if path == relative}
    if line is not None:
        assert own == {(line, "LL101")}
    elif data:
        assert {code for _, code in own} == {"LL001"} and len(own) == 1
    else:
        assert own == set()


def test_the_big_module_is_five_megabytes() -> None:
    assert len(HOSTILE["five_megabyte_module"][0]) > 5_000_000
