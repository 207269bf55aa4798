"""An import-linter contract that enforces layerlint's layers (LL101, LL102, LL103).

Register it in the import-linter configuration and add a contract of that type:

    [importlinter]
    root_packages = app
    contract_types =
        layerlint: layerlint.importlinter.LayersContract

    [importlinter:contract:layers]
    name = Routers, services and repositories stay in their layers
    type = layerlint

The roles come from `[tool.layerlint]` (option `config`: the pyproject.toml or its directory,
default the current directory). The violations are layerlint's own, so `lint-imports` and
`layerlint check --select LL101,LL102,LL103` report the same lines; a chain (LL102) is shown
with a line number for each step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck

from layerlint import engine
from layerlint.core.projects import project_config
from layerlint.core.diagnostic import Diagnostic

LAYER_CODES = ("LL101", "LL102", "LL103")


class LayersContract(Contract):
    config = fields.StringField(required=False)

    def check(self, graph: Any, verbose: bool) -> ContractCheck:
        # `graph` is grimp's; layerlint reads the imports itself, so the lines match its CLI.
        config = project_config(Path(str(self.config or "."))).with_selection(LAYER_CODES, ())
        diagnostics = engine.check(config).diagnostics
        findings = [d for d in diagnostics if d.code in LAYER_CODES]
        return ContractCheck(kept=not findings, metadata={"findings": findings})

    def render_broken_contract(self, check: ContractCheck) -> None:
        finding: Diagnostic
        for finding in check.metadata["findings"]:
            output.print_error(f"{finding.path}:{finding.line}: {finding.code} {finding.name}")
            output.print_error(finding.message, bold=False)
            for step in finding.chain:  # as import-linter prints a chain's steps
                output.indent_cursor()
                output.print_error(f"{step.importer} -> {step.imported} (l.{step.line})", bold=False)
            output.new_line()
