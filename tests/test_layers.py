"""layerlint's own layers as import-linter contracts (`[tool.importlinter]` in pyproject.toml).

The contracts are only as good as their coverage: a new top-level module or a new sub-package
of the model that no layer names would be outside every check, so the contracts must name each.
"""

from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

import layerlint
import layerlint.project

REPO = Path(__file__).parent.parent


def _contracts() -> list[dict[str, object]]:
    settings = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]
    return list(settings["contracts"])


def _layer_names(container: str) -> set[str]:
    for contract in _contracts():
        if contract["type"] == "layers" and contract["containers"] == [container]:
            layers = contract["layers"]
            assert isinstance(layers, list)
            return {name.strip() for layer in layers for name in layer.replace("|", ":").split(":")}
    raise AssertionError(f"no layers contract for {container}")


def _children(package: object) -> set[str]:
    paths = getattr(package, "__path__")
    return {info.name for info in pkgutil.iter_modules(paths)}


def test_the_layer_contracts_hold(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    exit_code = lint_imports(no_cache=True, no_logo=True)
    assert exit_code == 0, capsys.readouterr().out


def test_every_top_level_module_is_in_a_layer() -> None:
    assert _children(layerlint) == _layer_names("layerlint")


def test_every_part_of_the_model_is_in_a_layer() -> None:
    assert _children(layerlint.project) == _layer_names("layerlint.project")
