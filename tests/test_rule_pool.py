"""Rules run in forked workers, a family (the rules that share an analysis) per task, give exactly
what one process gives."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness import FIXTURES
from layerlint import engine, rule_pool
from layerlint.core.config import load_config
from layerlint.project.project import Project
from layerlint.rules import RULES
from layerlint.rules.base import Rule, Scope

# One firing case per family; each also has findings of other families' rules.
FIRING = [FIXTURES / case for case in ("ll101/direct_imports", "ll202/write_session_on_reads", "ll301/ids_fire",
                                       "ll402/queries_fire", "ll501/returns_models", "ll604/shared_session",
                                       "ll702/missing_returns")]
Found = list[tuple[list[tuple[str, int, int, str, str]], int]]


def per_rule(project: Project, workers: int, workers_used: list[int] | None = None) -> Found:
    """Each rule's findings and noqa count; `workers_used` receives the worker count the pool started with."""
    original = rule_pool.map_tasks

    def recording(*args: Any, **kwargs: Any) -> Any:
        if workers_used is not None:
            workers_used.append(args[2])
        return original(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rule_pool, "map_tasks", recording)
        evaluation = rule_pool.evaluate(project, RULES, workers, modules=10)
    assert len(evaluation.seconds) == len(RULES) and all(seconds >= 0 for seconds in evaluation.seconds)
    return [([(d.path, d.line, d.column, d.code, d.message) for d in kept], count.total())
            for kept, count in evaluation.results]


@pytest.mark.parametrize("root", FIRING, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_two_workers_give_what_one_gives(root: Path, monkeypatch: pytest.MonkeyPatch,
                                         copy_of: Callable[[Path], Path]) -> None:
    config = load_config(copy_of(root))
    serial = per_rule(engine.load_project(config), 1)
    monkeypatch.setattr(rule_pool, "MIN_MODULES_PER_WORKER", 1)  # fork even for a small project
    assert per_rule(engine.load_project(config), 2, inherited := []) == serial
    assert inherited == [2]
    assert any(kept for kept, _ in serial)


def test_noqa_is_applied_in_the_workers(monkeypatch: pytest.MonkeyPatch, copy_of: Callable[[Path], Path]) -> None:
    root = copy_of(FIRING[0])
    config = load_config(root)
    kept, _ = per_rule(engine.load_project(config), 1)[1]
    path, line, _, code, _ = kept[0]
    project = engine.load_project(config)
    project.noqa_by_path[path][line] = [code]
    monkeypatch.setattr(rule_pool, "MIN_MODULES_PER_WORKER", 1)
    after, count = per_rule(project, 2)[1]
    assert count >= 1 and all((p, n) != (path, line) for p, n, *_ in after)


def test_without_fork_the_rules_run_in_this_process(monkeypatch: pytest.MonkeyPatch,
                                                    copy_of: Callable[[Path], Path]) -> None:
    """Where workers are spawned (macOS, Windows) they would not inherit the project."""
    config = load_config(copy_of(FIRING[0]))
    serial = per_rule(engine.load_project(config), 1)
    monkeypatch.setattr(rule_pool, "MIN_MODULES_PER_WORKER", 1)
    monkeypatch.setattr(rule_pool, "can_fork", lambda: False)
    assert per_rule(engine.load_project(config), 2, workers_used := []) == serial
    assert workers_used == [1]


def _declaring(*analyses: tuple[str, ...]) -> list[Rule]:
    return [Rule(f"LL9{n:02}", f"rule-{n}", "", "", lambda project: iter(()), scope=Scope.MODULE, analyses=reads)
            for n, reads in enumerate(analyses)]


def test_rules_that_read_an_analysis_built_whole_share_a_worker() -> None:
    rules = _declaring(("roles", "routes"), ("roles", "types"), ("roles", "tables"), ("roles", "soft_delete_models"),
                       ("roles", "session_split"), ("model_fields",), ())
    # routes/session_split and tables/soft_delete_models (both the table models) are built whole;
    # types and model_fields are filled question by question; the roles, most rules read
    assert rule_pool._families(rules) == [[0, 4], [1], [2, 3], [5], [6]]


def test_families_follow_the_declarations() -> None:
    families = rule_pool._families(RULES)
    assert sorted(i for family in families for i in family) == list(range(len(RULES)))
    family_of = {RULES[i].code: n for n, family in enumerate(families) for i in family}
    assert family_of["LL402"] == family_of["LL301"]  # both read the table models and their fields
    assert family_of["LL703"] == family_of["LL201"]  # both read the route table
    assert family_of["LL601"] != family_of["LL602"]  # the types are answered per question
