"""Fixture projects with expected findings marked inline: `# [LL101]` or `# [LL101, LL102]`.

Every marked (line, code) must be reported and nothing else may be, for the codes the fixture
is about: the code its folder is named after (tests/fixtures/ll101/...) plus any code marked.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from layerlint import engine
from layerlint.core.config import load_config
from layerlint.core.diagnostic import Diagnostic
from layerlint.core.options import RunOptions

FIXTURES = Path(__file__).parent / "fixtures"
MARKER = re.compile(r"#.*?\[(LL\d{3}(?:\s*,\s*LL\d{3})*)\]")

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


def run_fixture(root: Path, codes: tuple[str, ...] | None) -> list[Diagnostic]:
    config = load_config(root)
    if codes is not None:
        config = config.with_selection(codes, ())
    return engine.check(config, options=NO_CACHE).diagnostics


def compare(expected: Expected, diagnostics: list[Diagnostic]) -> str:
    """Empty when they agree; otherwise what is missing and what is unexpected."""
    actual: Expected = Counter((d.path, d.line, d.code) for d in diagnostics)
    messages = {(d.path, d.line, d.code): d.message for d in diagnostics}
    missing = sorted((expected - actual).elements())
    unexpected = sorted((actual - expected).elements())
    lines: list[str] = []
    if missing:
        lines.append("expected but missing:")
        lines += [f"  {p}:{n}: {c}" for p, n, c in missing]
    if unexpected:
        lines.append("unexpected:")
        lines += [f"  {p}:{n}: {c} {messages[(p, n, c)]}" for p, n, c in unexpected]
    return "\n".join(lines)
