"""Notes: what layerlint tells the user about the project beyond findings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from harness import FIXTURES, run_fixture
from layerlint.cli import main

GLOBAL_FILTER = FIXTURES / "notes" / "global_filter"


def test_roles_notes_a_global_soft_delete_filter(copy_of: Callable[[Path], Path]) -> None:
    result = CliRunner().invoke(main, ["roles", str(copy_of(GLOBAL_FILTER))], catch_exceptions=False)
    assert "note: app.core.db applies with_loader_criteria globally" in result.output
    assert "note: app.core.tenancy applies with_loader_criteria globally" in result.output  # event.listen(...)
    assert 'ignore = ["LL402"]' in result.output


def test_roles_without_global_filter_has_no_note(copy_of: Callable[[Path], Path]) -> None:
    project = copy_of(FIXTURES / "ll402" / "queries_clean")
    result = CliRunner().invoke(main, ["roles", str(project)], catch_exceptions=False)
    assert "note:" not in result.output


def test_query_findings_mention_the_global_filter() -> None:
    (finding,) = [d for d in run_fixture(GLOBAL_FILTER, ("LL402",))]
    assert "with_loader_criteria" in finding.message


def test_roles_notes_a_base_repository_with_another_name(copy_of: Callable[[Path], Path]) -> None:
    project = copy_of(FIXTURES / "ll403" / "other_base_name")
    result = CliRunner().invoke(main, ["roles", str(project)], catch_exceptions=False)
    assert 'base-class = "RepositoryBase"' in result.output
    assert "2 repositories derive from `RepositoryBase`" in result.output
