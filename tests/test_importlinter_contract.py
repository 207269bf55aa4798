"""`lint-imports` with layerlint's contract type reports layerlint's layer violations, with chains."""

from __future__ import annotations

from pathlib import Path

import pytest
from importlinter.domain.contract import ContractCheck

from harness import FIXTURES, copy_fixture
from integration_helpers import EXPECTED, copy_catalog, run
from layerlint import engine
from layerlint.core.config import load_config
from layerlint.core.diagnostic import Diagnostic, ImportStep, Location
from layerlint.importlinter import LayersContract

IMPORTLINTER = """\
[importlinter]
root_packages =
    app
contract_types =
    layerlint: layerlint.importlinter.LayersContract

[importlinter:contract:layers]
name = Routers, services and repositories stay in their layers
type = layerlint
"""


def test_lint_imports_reports_layer_violations_with_chains(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path)
    (root / ".importlinter").write_text(IMPORTLINTER)
    completed = run(root, "lint-imports", "--no-cache")
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "0 kept, 1 broken" in completed.stdout
    layer_findings = {f for f in EXPECTED if f[2] in ("LL101", "LL102", "LL103")}
    for path, line, code in layer_findings:
        assert f"{path}:{line}: {code}" in completed.stdout
    assert "LL207" not in completed.stdout and "LL201" not in completed.stdout
    assert "app.api.routers.search -> app.utils.lookup (l.3)" in completed.stdout
    assert "app.utils.lookup -> app.domain.products.repository (l.1)" in completed.stdout


def test_contract_kept_when_layers_hold(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path)
    for name in ("api/routers/products.py", "api/routers/search.py", "domain/products/audit_repository.py"):
        (root / "app" / name).unlink()
    (root / "app" / "main.py").write_text("from fastapi import FastAPI\n\napp = FastAPI()\n")
    (root / ".importlinter").write_text(IMPORTLINTER)
    completed = run(root, "lint-imports", "--no-cache")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "1 kept, 0 broken" in completed.stdout


def test_a_chain_is_shown_from_the_diagnostics_steps_not_its_message(capsys: pytest.CaptureFixture[str]) -> None:
    steps = (ImportStep("a.b", "c", 3), ImportStep("c", "r", 1))
    finding = Diagnostic("a/b.py", Location(3, 1, 3, 9), "LL102", "router-reaches-repository",
                         "worded in any way", chain=steps)
    LayersContract.render_broken_contract(None, ContractCheck(kept=False, metadata={"findings": [finding]}))  # type: ignore[arg-type]
    printed = capsys.readouterr().out
    assert "a.b -> c (l.3)" in printed and "c -> r (l.1)" in printed


def test_ll102_findings_carry_their_chain_through_the_cache(tmp_path: Path) -> None:
    root = copy_fixture(FIXTURES / "ll102" / "indirect_chains", tmp_path)
    config = load_config(root).with_selection(("LL102",), ())
    fresh = engine.check(config).diagnostics
    cached = engine.check(config).diagnostics  # answered from the findings stored by the first run
    assert [d.chain for d in cached] == [d.chain for d in fresh]
    for finding in fresh:
        rendered = " -> ".join([*(f"{s.importer}:{s.line}" for s in finding.chain), finding.chain[-1].imported])
        assert len(finding.chain) >= 2 and f"through {rendered};" in finding.message
