"""The soft-delete analysis follows a function's statements once: what LL402 asks after the
session calls were found (`deleted_rows_handled`) continues the walk that found them, and must
know exactly what a walk of the whole function from its start knows."""

from __future__ import annotations

import pytest

from harness import FIXTURES, NO_CACHE
from layerlint import engine
from layerlint.core.config import load_config
from layerlint.project.orm.soft_delete import FunctionQueries

CASES = sorted(str(path.relative_to(FIXTURES)) for family in ("ll401", "ll402")
               for path in (FIXTURES / family).iterdir() if (path / "pyproject.toml").exists())


@pytest.mark.parametrize("case", CASES)
def test_a_continued_walk_knows_what_a_whole_walk_knows(case: str) -> None:
    project = engine.load_project(load_config(FIXTURES / case), options=NO_CACHE)
    for facts in project.modules.values():
        for function in facts.functions:
            if not project.session_calls.of(facts, function):
                continue
            continued = project.session_calls.queries(facts, function)
            whole = FunctionQueries(project, facts, function)
            for event in function.events:
                whole.assign(event.target, event.value, event.kind)
            assert (continued.values, continued.items, continued.statements) == \
                (whole.values, whole.items, whole.statements), (facts.path, function.qualname)


def test_the_walk_that_found_the_session_calls_is_the_one_continued() -> None:
    project = engine.load_project(load_config(FIXTURES / "ll402/deleted_on_purpose"), options=NO_CACHE)
    found = [(facts, function) for facts in project.modules.values() for function in facts.functions
             if project.session_calls.of(facts, function)]
    assert found
    for facts, function in found:
        first = project.session_calls.queries(facts, function)
        assert project.session_calls.queries(facts, function) is first
        assert first.assigned == len(function.events)
