"""layerlint's first-party import edges equal grimp's (the graph behind import-linter)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness import FIXTURES, NO_CACHE
from layerlint import engine
from layerlint.core.config import load_config

REPO = Path(__file__).parent.parent

_GRIMP_EDGES = """
import json, sys
import grimp
sys.path.insert(0, sys.argv[1])
graph = grimp.build_graph(*sys.argv[2:], cache_dir=None)
edges = sorted([m, i] for m in graph.modules for i in graph.find_modules_directly_imported_by(m))
print(json.dumps(edges))
"""


def _projects() -> list[Path]:
    roots = [REPO / "examples" / "shop"]
    roots += sorted(p.parent for p in FIXTURES.glob("*/*/pyproject.toml") if "ll001" not in p.parts)
    return roots


def grimp_edges(root: Path, packages: list[str]) -> set[tuple[str, str]]:
    out = subprocess.run([sys.executable, "-c", _GRIMP_EDGES, str(root), *packages],
                         capture_output=True, text=True, check=True).stdout
    return {(a, b) for a, b in json.loads(out)}


def _below_src(name: str) -> str:
    return name[len("src."):] if name.startswith("src.") else name


@pytest.mark.parametrize("root", _projects(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_edges_equal_grimps(root: Path) -> None:
    project = engine.load_project(load_config(root), options=NO_CACHE)
    ours = project.graph.edge_pairs()
    if (root / "src" / "__init__.py").is_file():
        # A package `src` whose code imports `src.app...`: grimp names its modules so, layerlint
        # below src/ (`app...`, README: Which files are checked). The same edges, renamed.
        outside = {name.split(".")[0] for name, facts in project.modules.items() if not facts.path.startswith("src/")}
        theirs = {(_below_src(a), _below_src(b)) for a, b in grimp_edges(root, sorted(outside | {"src"}))}
    else:
        theirs = grimp_edges(root, sorted({name.split(".")[0] for name in project.modules}))
    assert ours == theirs, f"only layerlint: {sorted(ours - theirs)}\nonly grimp: {sorted(theirs - ours)}"
