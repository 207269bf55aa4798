"""Every fixture project gives exactly the findings marked in it."""

from __future__ import annotations

import pytest

from harness import FixtureProject, compare, fixture_projects, marked_findings, run_fixture

PROJECTS = fixture_projects()


@pytest.mark.parametrize("fixture", PROJECTS, ids=[p.id for p in PROJECTS])
def test_fixture_findings(fixture: FixtureProject) -> None:
    problems = compare(marked_findings(fixture.root), run_fixture(fixture.root, fixture.codes))
    assert not problems, f"{fixture.id}:\n{problems}"


def test_every_rule_has_a_firing_and_a_clean_fixture() -> None:
    from layerlint.rules import RULES

    for rule in RULES:
        cases = [p for p in PROJECTS if p.root.parent.name == rule.code.lower()]
        firing = [p for p in cases if any(c == rule.code for _, _, c in marked_findings(p.root))]
        clean = [p for p in cases if not any(c == rule.code for _, _, c in marked_findings(p.root))]
        assert firing, f"{rule.code} has no fixture that fires"
        assert clean, f"{rule.code} has no fixture that stays clean"
