"""Fuzzing the whole engine: generated programs, random bytes and mutated fixture files.

Every example is checked as a file of a small project: no exception escapes, the file is either
analysed or gives exactly one LL001 (exactly when the parsers reject it), and the other files'
findings are still reported. CI runs a few hundred examples in all; for a long run set
`LAYERLINT_FUZZ_EXAMPLES` (examples per test), e.g. `LAYERLINT_FUZZ_EXAMPLES=20000 pytest tests/test_fuzz.py`.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import hypothesmith
import pytest
from harness import FIXTURES, NO_CACHE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layerlint import engine
from layerlint.core.config import load_config
from layerlint.core.diagnostic import Diagnostic
from layerlint.project.reading.discovery import discover
from layerlint.project.reading.parsing import ParseFailure, decode_source, parse_source

pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")  # what ast says of generated code
EXAMPLES = int(os.environ.get("LAYERLINT_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize="LAYERLINT_FUZZ_EXAMPLES" not in os.environ,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])

FUZZED = "app/routers/fuzzed.py"
ROUTER_FINDING = ("app/routers/items.py", 1, "LL101")
BASE_PROJECT = {"pyproject.toml": b'[project]\nname = "fuzz"\nversion = "0"\n', "app/__init__.py": b"",
                "app/routers/__init__.py": b"", "app/repositories/__init__.py": b"",
                "app/repositories/items.py": b"class ItemRepository:\n    pass\n",
                "app/routers/items.py": b"from app.repositories.items import ItemRepository\n"}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    for relative, data in BASE_PROJECT.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(data)
    return root


def _parser_rejects(data: bytes) -> bool:
    text = decode_source(data)
    return isinstance(text, ParseFailure) or isinstance(parse_source(text), ParseFailure)


def _check_file(root: Path, relative: str, data: bytes) -> list[Diagnostic]:
    """The project's findings with `relative` holding `data`; the file's LL001 is there exactly
    when the parsers reject it (or, once parsed, it is too deep to analyse)."""
    (root / relative).write_bytes(data)
    diagnostics = engine.check(load_config(root), options=NO_CACHE).diagnostics
    failures = [d for d in diagnostics if d.path == relative and d.code == "LL001"]
    assert len(failures) <= 1
    if _parser_rejects(data):
        assert failures, f"{relative} is unparsable but has no LL001"
    else:
        assert not failures or "nesting too deep" in failures[0].message, failures[0].message
    assert all(d.line >= 1 and d.column >= 1 for d in diagnostics)
    return diagnostics


def _other_findings_survive(diagnostics: list[Diagnostic]) -> None:
    assert ROUTER_FINDING in {(d.path, d.line, d.code) for d in diagnostics}


@FUZZ
@given(source=hypothesmith.from_grammar())
def test_generated_programs(project: Path, source: str) -> None:
    _other_findings_survive(_check_file(project, FUZZED, source.encode("utf-8", "surrogatepass")))


@settings(FUZZ, max_examples=max(1, EXAMPLES // 4))  # libcst's code generation: ~0.2 s an example
@given(source=hypothesmith.from_node())
def test_generated_syntax_trees(project: Path, source: str) -> None:
    _other_findings_survive(_check_file(project, FUZZED, source.encode("utf-8", "surrogatepass")))


@FUZZ
@given(data=st.binary(max_size=4096))
def test_random_bytes(project: Path, data: bytes) -> None:
    _other_findings_survive(_check_file(project, FUZZED, data))




def _checked_fixture_files() -> list[Path]:
    """The non-empty fixture files that discovery reads: one it leaves out (`main.py` beside the
    packages in `ll207/app_beside_packages`) is never parsed, so no mutation of it gives LL001."""
    roots = sorted(p.parent for p in FIXTURES.glob("ll*/*/pyproject.toml"))
    found = (Path(file.location) for root in roots for file in discover(load_config(root)))
    return sorted(p for p in found if p.suffix == ".py" and p.stat().st_size > 0)


FIXTURE_FILES = _checked_fixture_files()


def _mutated(data: bytes, mutations: list[tuple[str, int, int]]) -> bytes:
    """Line and byte edits: delete, duplicate or swap lines, flip or insert bytes, truncate."""
    lines = data.splitlines(keepends=True) or [b""]
    for kind, first, second in mutations:
        i, j = first % len(lines), second % len(lines)
        if kind == "delete" and len(lines) > 1:
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "flip" and lines[i]:
            line = bytearray(lines[i])
            line[second % len(line)] ^= 1 << (first % 8)
            lines[i] = bytes(line)
        elif kind == "insert":
            lines[i] = lines[i][:second % (len(lines[i]) + 1)] + bytes([first % 256]) + lines[i][second % (len(lines[i]) + 1):]
        elif kind == "truncate":
            lines = lines[:i + 1]
    return b"".join(lines)


MUTATIONS = st.lists(st.tuples(st.sampled_from(["delete", "duplicate", "swap", "flip", "insert", "truncate"]),
                               st.integers(0, 10_000), st.integers(0, 10_000)), min_size=1, max_size=6)


@FUZZ
@given(index=st.integers(0, len(FIXTURE_FILES) - 1), mutations=MUTATIONS)
def test_mutated_fixture_files(tmp_path_factory: pytest.TempPathFactory, index: int,
                               mutations: list[tuple[str, int, int]]) -> None:
    original = FIXTURE_FILES[index]
    fixture = next(parent for parent in original.parents if (parent / "pyproject.toml").is_file())
    root = tmp_path_factory.mktemp("mutated") / fixture.name
    shutil.copytree(fixture, root)
    relative = original.relative_to(fixture).as_posix()
    _check_file(root, relative, _mutated(original.read_bytes(), mutations))
