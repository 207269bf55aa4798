"""Fixture projects with expected findings marked inline: `# [LL101]` or `# [LL101, LL102]`.

Every marked (line, code) must be reported and nothing else may be, for the codes the fixture
is about: the code its folder is named after (tests/fixtures/ll101/...) plus any code marked.
The markers are the human-readable truth for lines and codes.

Each case also has an `expected.txt` that pins the rest: one finding per line, as the text
output prints it (`path:line:col: CODE message`), so a changed column or message fails too. It
must agree with the markers (same paths, lines and codes). After changing a message on purpose,
or adding a case, regenerate the files and review the diff:

    .venv/bin/python -m pytest tests/test_fixtures.py --update-expected
    git diff tests/fixtures/

(as pylint's functional tests do with `--update-functional-output`). The update still fails a
case whose findings disagree with its markers: fix the code or the markers first.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from layerlint import engine
from layerlint.core.config import load_config
from layerlint.core.diagnostic import Diagnostic
from layerlint.core.options import RunOptions
from layerlint.reporters.text import format_diagnostic

FIXTURES = Path(__file__).parent / "fixtures"
MARKER = re.compile(r"#.*?\[(LL\d{3}(?:\s*,\s*LL\d{3})*)\]")
EXPECTED_FILE = "expected.txt"
ROW = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<column>\d+): (?P<code>LL\d{3}) (?P<message>.+)$")

Expected = Counter[tuple[str, int, str]]


@dataclass(frozen=True)
class FixtureProject:
    root: Path
    codes: tuple[str, ...]

    @property
    def id(self) -> str:
        return self.root.relative_to(FIXTURES).as_posix()


def marked_findings(root: Path) -> Expected:
    expected: Expected = Counter()
    for path in sorted(root.rglob("*.py")):
        text = path.read_bytes().decode("utf-8", "replace")
        for number, line in enumerate(text.splitlines(), start=1):
            match = MARKER.search(line)
            if match:
                for code in re.split(r"\s*,\s*", match.group(1)):
                    expected[(path.relative_to(root).as_posix(), number, code)] += 1
    return expected


def fixture_projects() -> list[FixtureProject]:
    projects: list[FixtureProject] = []
    for pyproject in sorted(FIXTURES.glob("ll*/*/pyproject.toml")):
        root = pyproject.parent
        own_code = root.parent.name.upper()
        marked = {code for _, _, code in marked_findings(root)}
        projects.append(FixtureProject(root, tuple(sorted({own_code, *marked}))))
    return projects


# Fixtures test the analysis itself: no cache (tests/test_cache.py covers it), one process.
NO_CACHE = RunOptions(use_cache=False, jobs=1)


def copy_fixture(root: Path, destination: Path) -> Path:
    """A copy to run with the cache on: tests never write into the source tree."""
    copied = destination / root.name
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copytree(root, copied, ignore=shutil.ignore_patterns(".layerlint_cache", "__pycache__"))
    return copied


def copied_long_ago(root: Path, destination: Path) -> Path:
    """A copy of a fixture project at `destination`, each file saved long ago (its own time): the
    cache trusts their stats, so a second run is answered from what the first stored."""
    shutil.copytree(root, destination, ignore=shutil.ignore_patterns(".layerlint_cache", "__pycache__"))
    for number, path in enumerate(sorted(destination.rglob("*.py")), start=1):
        os.utime(path, ns=(number, number))
    return destination


def run_fixture(root: Path, codes: tuple[str, ...] | None) -> list[Diagnostic]:
    config = load_config(root)
    if codes is not None:
        config = config.with_selection(codes, ())
    return engine.check(config, options=NO_CACHE).diagnostics


def compare(expected: Expected, diagnostics: list[Diagnostic]) -> str:
    """Empty when they agree; otherwise what is missing and what is unexpected."""
    actual: Expected = Counter((d.path, d.line, d.code) for d in diagnostics)
    return difference(expected, actual, {(d.path, d.line, d.code): d.message for d in diagnostics})


def difference(expected: Expected, actual: Expected, messages: dict[tuple[str, int, str], str] | None = None) -> str:
    missing = sorted((expected - actual).elements())
    unexpected = sorted((actual - expected).elements())
    lines: list[str] = []
    if missing:
        lines.append("expected but missing:")
        lines += [f"  {p}:{n}: {c}" for p, n, c in missing]
    if unexpected:
        lines.append("unexpected:")
        lines += [f"  {p}:{n}: {c} {(messages or {}).get((p, n, c), '')}".rstrip() for p, n, c in unexpected]
    return "\n".join(lines)


def expected_rows(root: Path) -> list[str] | None:
    """The case's expected.txt, one row per finding; None when it has none yet."""
    try:
        return (root / EXPECTED_FILE).read_text("utf-8").splitlines()
    except FileNotFoundError:
        return None


def rows_of(diagnostics: list[Diagnostic]) -> list[str]:
    rows = [format_diagnostic(d) for d in diagnostics]
    assert all("\n" not in row for row in rows), "a message spans lines: expected.txt holds one per line"
    return rows


def write_expected(root: Path, diagnostics: list[Diagnostic]) -> None:
    rows = rows_of(diagnostics)
    (root / EXPECTED_FILE).write_text("".join(f"{row}\n" for row in rows), "utf-8")


def compare_rows(expected: list[str], diagnostics: list[Diagnostic]) -> str:
    """Empty when the findings print exactly as expected.txt says; otherwise a diff of the rows."""
    actual = rows_of(diagnostics)
    if actual == expected:
        return ""
    diff = difflib.unified_diff(expected, actual, EXPECTED_FILE, "found", lineterm="", n=1)
    return "\n".join([*diff, "(if the change is meant: pytest --update-expected, then review git diff)"])


def marked_in_rows(rows: list[str]) -> Expected:
    """The (path, line, code) of each expected.txt row, to hold against the markers."""
    found: Expected = Counter()
    for row in rows:
        match = ROW.match(row)
        assert match, f"{EXPECTED_FILE}: not `path:line:col: CODE message`: {row!r}"
        found[(match["path"], int(match["line"]), match["code"])] += 1
    return found
