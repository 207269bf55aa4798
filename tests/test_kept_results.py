"""Per-module results kept between runs (cache/kept.py): a run after an edit takes what earlier
runs computed from a module's facts (which imports it uses only as types, for LL102's chains)
while the module's facts are the same, computes it again for the edited module, and finds what a
run without the cache finds; a kept value it cannot read is computed again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from harness import FIXTURES, copied_long_ago

from layerlint import engine
from layerlint.core.config import load_config
from layerlint.core.options import RunOptions
from layerlint.project.index import type_only
from layerlint.project.reading.facts import ModuleFacts

ROUTER = "app/api/v1/routers/orders.py"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """LL102's chains fixture, its files saved long ago (their stats are trusted)."""
    return copied_long_ago(FIXTURES / "ll102" / "indirect_chains", tmp_path / "project")


@pytest.fixture
def readings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One item per module whose name uses were computed (read from its facts)."""
    computed: list[int] = []

    class Counted(type_only._DefinitionsReader):
        def __init__(self, facts: ModuleFacts) -> None:
            computed.append(1)
            super().__init__(facts)

    monkeypatch.setattr(type_only, "_DefinitionsReader", Counted)
    return computed


def _findings(root: Path, *, use_cache: bool = True) -> list[tuple[str, int, str, str]]:
    result = engine.check(load_config(root), options=RunOptions(jobs=1, use_cache=use_cache))
    return [(d.path, d.line, d.code, d.message) for d in result.diagnostics]


def _edit(root: Path) -> None:
    path = root / ROUTER
    path.write_text(path.read_text() + "\n\ndef added() -> int:\n    return 1\n")


def test_a_run_after_an_edit_computes_again_only_for_the_edited_module(project: Path, readings: list[int]) -> None:
    _findings(project)
    first = len(readings)
    assert first > 2  # the routers and the helpers on their chains
    _edit(project)
    readings.clear()
    assert _findings(project) == _findings(project, use_cache=False)
    readings.clear()
    _edit(project)
    _findings(project)
    assert len(readings) == 1  # the router: every other module's were kept


@pytest.mark.parametrize("stored", [[1, 2, 3], {"f": ["runtime", {}, {}, True]}, {"f": [[1], {}, {}, {}, True]},
                                    None, {"a": 1}])
def test_a_kept_value_that_cannot_be_read_is_computed_again(project: Path, readings: list[int],
                                                            stored: object) -> None:
    expected = _findings(project, use_cache=False)
    _findings(project)
    kept, = project.glob(".layerlint_cache/*/kept.json")
    document = json.loads(kept.read_text())
    for entry in document["by_path"].values():
        entry[1]["definition_uses"] = stored
    kept.write_text(json.dumps(document))
    _edit(project)
    readings.clear()
    found = _findings(project)
    assert len(readings) > 1  # not only the edited router's
    assert found == _findings(project, use_cache=False)
    assert [f for f in found if f[0] != ROUTER] == [f for f in expected if f[0] != ROUTER]
