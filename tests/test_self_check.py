"""layerlint checks its own source with its own layer configuration (pyproject.toml)."""

from __future__ import annotations

import sys
from pathlib import Path

from harness import NO_CACHE

from layerlint import engine
from layerlint.core.config import load_config

REPO = Path(__file__).parent.parent


def test_layerlint_passes_its_own_checks() -> None:
    config = load_config(REPO / "src")
    result = engine.check(config, [REPO / "src"], options=NO_CACHE)
    assert result.files_checked > 20
    assert not result.diagnostics, "\n".join(f"{d.path}:{d.line}: {d.code} {d.message}" for d in result.diagnostics)


def test_own_layers_are_configured() -> None:
    config = load_config(REPO / "src")
    project = engine.load_project(config, options=NO_CACHE)
    assert project.role("layerlint.cli") == "router"
    assert project.role("layerlint.engine") == "service"
    assert project.role("layerlint.project.index.symbols") == "repository"
    assert project.role("layerlint.core.config") == "model"


def test_core_is_stdlib_only() -> None:
    project = engine.load_project(load_config(REPO / "src"), options=NO_CACHE)
    for name, facts in project.modules.items():
        if name.startswith("layerlint.core"):
            imported = {item.target.split(".")[0] for item in facts.imports}
            outside = {m for m in imported if m not in sys.stdlib_module_names and m != "layerlint"}
            assert not outside, (name, outside)
