"""`lint-imports` with layerlint's contract type reports layerlint's layer violations, with chains."""

from __future__ import annotations

from pathlib import Path

from integration_helpers import EXPECTED, copy_catalog, run
from layerlint.importlinter import chain_steps

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


def test_chain_steps() -> None:
    message = "router reaches repository `r` through a.b:3 -> c:1 -> r; import a service instead"
    assert chain_steps(message) == ["a.b -> c (l.3)", "c -> r (l.1)"]
    assert chain_steps("router imports repository `x`") == []
