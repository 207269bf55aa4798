"""Every fixture project gives exactly the findings marked in it, printed as its expected.txt says."""

from __future__ import annotations

import pytest

from harness import (
    EXPECTED_FILE, FixtureProject, compare, compare_rows, difference, expected_rows, fixture_projects,
    marked_findings, marked_in_rows, run_fixture, write_expected,
)

PROJECTS = fixture_projects()


@pytest.mark.parametrize("fixture", PROJECTS, ids=[p.id for p in PROJECTS])
def test_fixture_findings(fixture: FixtureProject, request: pytest.FixtureRequest) -> None:
    marked = marked_findings(fixture.root)
    found = run_fixture(fixture.root, fixture.codes)
    problems = compare(marked, found)
    assert not problems, f"{fixture.id}:\n{problems}"
    if request.config.getoption("--update-expected"):
        write_expected(fixture.root, found)
    rows = expected_rows(fixture.root)
    assert rows is not None, f"{fixture.id} has no {EXPECTED_FILE}: pytest --update-expected writes it"
    disagreement = difference(marked, marked_in_rows(rows))
    assert not disagreement, f"{fixture.id}: {EXPECTED_FILE} against the markers:\n{disagreement}"
    problems = compare_rows(rows, found)
    assert not problems, f"{fixture.id}:\n{problems}"


def test_every_rule_has_a_firing_and_a_clean_fixture() -> None:
    from layerlint.rules import RULES

    for rule in RULES:
        cases = [p for p in PROJECTS if p.root.parent.name == rule.code.lower()]
        firing = [p for p in cases if any(c == rule.code for _, _, c in marked_findings(p.root))]
        clean = [p for p in cases if not any(c == rule.code for _, _, c in marked_findings(p.root))]
        assert firing, f"{rule.code} has no fixture that fires"
        assert clean, f"{rule.code} has no fixture that stays clean"
