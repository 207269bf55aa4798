"""LL701/LL702 flag exactly the parameters and functions ruff's flake8-annotations rules flag
(ANN001-ANN003, ANN201-ANN206 with `mypy-init-return = true`), on every fixture project."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from harness import FIXTURES, NO_CACHE, run_fixture

REPO = Path(__file__).parent.parent
RUFF = Path(sys.executable).parent / "ruff"
PARAMETER_CODES = ("ANN001", "ANN002", "ANN003")
FUNCTION_CODES = ("ANN201", "ANN202", "ANN204", "ANN205", "ANN206")
PROJECTS = [p.parent for p in sorted(FIXTURES.glob("*/*/pyproject.toml"))] + [REPO / "examples" / "shop"]

Flags = set[tuple[str, int, str]]
NAME = re.compile(r"`\**([^`]+)`")


def _name(message: str) -> str:
    """The parameter or function a message names first (stars dropped)."""
    found = NAME.search(message)
    assert found, message
    return found.group(1).rsplit(".", 1)[-1]


def _ruff(root: Path, files: list[str]) -> tuple[Flags, Flags]:
    command = [str(RUFF), "check", "--isolated", "--no-cache", "--ignore-noqa", "--output-format", "json", "--exit-zero",
               "--select", ",".join(PARAMETER_CODES + FUNCTION_CODES),
               "--config", "lint.flake8-annotations.mypy-init-return = true", *files]
    output = subprocess.run(command, cwd=root, capture_output=True, text=True, check=True).stdout
    parameters: Flags = set()
    functions: Flags = set()
    for item in json.loads(output):
        path = Path(item["filename"]).resolve().relative_to(root.resolve()).as_posix()
        row = item["location"]["row"]
        if item["code"] in PARAMETER_CODES:
            parameters.add((path, row, _name(item["message"])))
        else:
            functions.add((path, row, _name(item["message"])))
    return parameters, functions


def _layerlint(root: Path) -> tuple[Flags, Flags, list[str]]:
    diagnostics = run_fixture(root, ("LL701", "LL702", "LL001"))
    parameters = {(d.path, d.line, _name(d.message)) for d in diagnostics if d.code == "LL701"}
    functions = {(d.path, d.line, _name(d.message)) for d in diagnostics if d.code == "LL702"}
    from layerlint import engine
    from layerlint.core.config import load_config

    files = [facts.path for facts in engine.load_project(load_config(root), options=NO_CACHE).modules.values() if not facts.failure]
    return parameters, functions, files


@pytest.mark.skipif(not RUFF.exists(), reason="ruff is not installed next to the interpreter")
def test_annotation_rules_agree_with_ruff() -> None:
    totals = [0, 0]
    for root in PROJECTS:
        our_parameters, our_functions, files = _layerlint(root)
        ruff_parameters, ruff_functions = _ruff(root, files)
        assert our_parameters == ruff_parameters, (root, our_parameters ^ ruff_parameters)
        assert our_functions == ruff_functions, (root, our_functions ^ ruff_functions)
        totals[0] += len(ruff_parameters)
        totals[1] += len(ruff_functions)
    assert totals[0] >= 10 and totals[1] >= 20, totals  # the fixtures do exercise the rules
