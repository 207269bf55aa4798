"""Hostile file content: each such file gives its findings or one LL001, and every other file's
findings survive. Whole runs go through the CLI and flake8 in a subprocess, so a crash (SIGSEGV
from a native parser) fails the test instead of taking pytest down with it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from integration_helpers import run

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
    script = ("import layerlint.project.parsing as parsing\n"
              "parsing.MAX_FALLBACK_DEPTH = 10 ** 9\n"
              "print(repr(parsing.parse_source('type T = int\\nx = ' + 'lambda: ' * 6000 + '1\\n')))\n")
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("ParseFailure(message='syntax error: invalid syntax', line=1")


@pytest.mark.parametrize("source", [DEEP_BRACKETS, DEEP_AFTER_NEWER_GRAMMAR])
def test_deep_input_never_reaches_the_fallback_parser(source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from layerlint.project import parsing

    def never(source: str) -> str | None:
        raise AssertionError("handed to libcst")

    monkeypatch.setattr(parsing, "lower_newer_syntax", never)
    assert isinstance(parsing.parse_source(source), parsing.ParseFailure)


def test_newer_grammar_with_long_but_analysable_chains_is_still_lowered() -> None:
    from layerlint.project.parsing import ParsedModule, parse_source

    source = ("type Ids = list[int]\ntotal = " + "1 + " * 300 + "1\nnames = [" + "'a', " * 5000 + "]\n"
              + "table = {" + "'k': f(x)[0].y, " * 2000 + "}\n")
    parsed = parse_source(source)
    assert isinstance(parsed, ParsedModule) and parsed.lowered
