"""The semantic model: analyses are typed attributes built on first use, and the model knows no rules."""

from __future__ import annotations

import re
from pathlib import Path

from harness import FIXTURES, NO_CACHE
from layerlint import engine
from layerlint.core.config import load_config
from layerlint.project.project import Project

PROJECT_PACKAGE = Path(__file__).parent.parent / "src" / "layerlint" / "project"


def _project(case: str) -> Project:
    return engine.load_project(load_config(FIXTURES / case), options=NO_CACHE)  # writes no cache


def test_no_analysis_is_built_before_it_is_read() -> None:
    project = _project("ll402/queries_fire")
    assert project.built_analyses() == set()
    assert project.soft_delete_models
    # what soft_delete_models reads, and nothing a route or type rule would need
    assert project.built_analyses() == {"soft_delete_models", "table_models"}


def test_an_analysis_is_built_once_and_shared() -> None:
    project = _project("ll202/write_session_on_reads")
    assert project.session_split  # both session dependencies are defined: no handler is walked
    assert project.built_analyses() == {"session_split", "dependencies"}
    routes = project.routes
    assert project.routes is routes and project.dependencies.project is project


def test_rules_add_their_own_analyses_without_the_model_knowing_them() -> None:
    project = _project("ll301/ids_fire")

    class Counted:
        built = 0

        def __init__(self, _: Project) -> None:
            Counted.built += 1

    assert project.derived(Counted) is project.derived(Counted)
    assert Counted.built == 1 and "Counted" in project.built_analyses()


def test_the_model_names_no_rule() -> None:
    """Rule codes belong to the rules and their adapters (notes, docs); the model knows no rules."""
    named = [f"{path.relative_to(PROJECT_PACKAGE)}:{number}"
             for path in sorted(PROJECT_PACKAGE.rglob("*.py"))
             for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
             if re.search(r"\bLL\d{3}\b", line)]
    assert not named
