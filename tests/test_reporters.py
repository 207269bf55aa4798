"""The reporter registry: every output format registered once, the CLI's `--format` choices taken
from it, one `render(report)` signature, and fingerprints computed once per report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from harness import FIXTURES, NO_CACHE
from layerlint import baseline, engine
from layerlint.cli import check, main
from layerlint.core.config import load_config
from layerlint.reporters import REPORTERS
from layerlint.reporters.base import Report

DIRECT = FIXTURES / "ll101" / "direct_imports"


def _report(root: Path) -> Report:
    result = engine.check(load_config(root), options=NO_CACHE)
    return Report(result.diagnostics, result.files_checked, root)


def test_format_choices_are_the_registered_reporters() -> None:
    (option,) = [p for p in check.params if p.name == "output_format"]
    assert isinstance(option.type, click.Choice)
    assert list(option.type.choices) == list(REPORTERS)
    # These stay; a new format is one more registry line, with no test to edit (docs/architecture.md).
    assert {"text", "concise", "grouped", "json", "json-lines", "sarif", "github", "gitlab", "junit",
            "pylint"} <= set(REPORTERS)
    assert all(name == reporter.name for name, reporter in REPORTERS.items())


@pytest.mark.parametrize("name", list(REPORTERS))
def test_the_cli_prints_what_the_reporter_renders(name: str, copy_of: Callable[[Path], Path],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # Run from the project root (not in a repository): every format names files from there.
    root = copy_of(DIRECT)
    monkeypatch.chdir(root)
    printed = CliRunner().invoke(main, ["check", "--no-cache", "--format", name]).output
    assert printed == REPORTERS[name].render(_report(root)) + "\n"


def test_fingerprints_are_computed_once_per_report(monkeypatch: pytest.MonkeyPatch) -> None:
    report = _report(DIRECT)
    calls: list[int] = []
    original = baseline.entries_for

    def counting(*args: object, **kwargs: object) -> list[baseline.BaselineEntry]:
        calls.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(baseline, "entries_for", counting)
    first = REPORTERS["sarif"].render(report)
    assert REPORTERS["sarif"].render(report) == first
    assert len(report.fingerprints) == len(report.diagnostics) == 5 and len(calls) == 1
