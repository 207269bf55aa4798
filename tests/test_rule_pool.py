"""Rules run in forked workers, a family per task, give exactly what one process gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from harness import FIXTURES
from layerlint import engine, rule_pool
from layerlint.core.config import load_config
from layerlint.rules import RULES

# One firing case per family; each also has findings of other families' rules.
FIRING = [FIXTURES / case for case in ("ll101/direct_imports", "ll202/write_session_on_reads", "ll301/ids_fire",
                                       "ll402/queries_fire", "ll501/returns_models", "ll604/shared_session",
                                       "ll702/missing_returns")]


Found = list[list[tuple[str, int, int, str, str]]]


def per_rule(root: Path, workers: int, workers_used: list[int] | None = None) -> Found:
    """Each rule's findings; `workers_used` receives the worker count the pool was started with."""
    project = engine.load_project(load_config(root))
    original = rule_pool.map_tasks

    def recording(*args: Any, **kwargs: Any) -> Any:
        if workers_used is not None:
            workers_used.append(args[2])
        return original(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rule_pool, "map_tasks", recording)
        found = rule_pool.diagnostics_per_rule(project, RULES, workers)
    return [[(d.path, d.line, d.column, d.code, d.message) for d in diagnostics] for diagnostics in found]


@pytest.mark.parametrize("root", FIRING, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_two_workers_give_what_one_gives(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    serial = per_rule(root, 1)
    monkeypatch.setattr(rule_pool, "MIN_MODULES_PER_WORKER", 1)  # fork even for a small project
    assert per_rule(root, 2, workers_used := []) == serial
    assert workers_used == [2]
    assert any(serial)


def test_families_keep_rules_of_a_family_together() -> None:
    families = rule_pool._families(RULES)
    assert sorted(i for family in families for i in family) == list(range(len(RULES)))
    assert all(len({RULES[i].code[:3] for i in family}) == 1 for family in families)


def test_without_fork_the_rules_run_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where workers are spawned (macOS, Windows) they would not inherit the project."""
    root = FIRING[0]
    serial = per_rule(root, 1)
    monkeypatch.setattr(rule_pool, "MIN_MODULES_PER_WORKER", 1)
    monkeypatch.setattr(rule_pool, "can_fork", lambda: False)
    assert per_rule(root, 2, workers_used := []) == serial
    assert workers_used == [1]
