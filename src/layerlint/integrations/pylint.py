"""The pylint checker: one pylint message per layerlint finding, ids generated from the registry.

Message ids are `<E|W>68<hundreds><units>`: LL101 is E6811, LL207 E6827. Checker id 68 is used
by neither pylint (its own checkers and extensions use 00-37, 47-49, 55, 56, 60-63, 90) nor the
plugins we checked (pylint-django 51, pylint-pytest 64, perflint 81/82, pylint-odoo 79/81, 77
and 96 by smaller plugins). Symbolic names are the rule names, so
`# pylint: disable=router-imports-repository` works.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pylint.checkers import BaseRawFileChecker
from pylint.constants import WarningScope

from layerlint.core.config import ConfigError
from layerlint.core.diagnostic import Severity
from layerlint.integrations.findings import LintRun
from layerlint.rules import RULES

if TYPE_CHECKING:
    from astroid import nodes
    from pylint.lint import PyLinter

CHECKER_ID = "68"


def message_id(code: str, severity: Severity) -> str:
    """LLabc -> E68ac; every code has a zero in the tens (LL101..LL109, LL201..)."""
    if len(code) != 5 or code[3] != "0":
        raise ValueError(f"{code} has no pylint message id: the scheme needs LLa0c")
    letter = "E" if severity is Severity.ERROR else "W"
    return f"{letter}{CHECKER_ID}{code[2]}{code[4]}"


def _messages() -> dict[str, tuple[str, str, str, dict[str, Any]]]:
    return {message_id(r.code, r.severity): ("%s", r.name, f"{r.code}: {r.summary}.", {"scope": WarningScope.LINE})
            for r in RULES}


class LayerlintChecker(BaseRawFileChecker):
    name = "layerlint"
    msgs = _messages()

    def __init__(self, linter: PyLinter) -> None:
        super().__init__(linter)
        # One per linter, so one per pylint run (and per -j worker): an editor's language server
        # that runs pylint in-process gets findings of the files as they are at each run.
        self.lint_run = LintRun()

    def process_module(self, node: nodes.Module) -> None:
        # astroid keeps the text only of a module built from a string (--from-stdin, an editor's
        # buffer); a module built from its file is the file, which needs no second read.
        try:
            found = self.lint_run.findings_for(node.file, node.file_bytes)
        except ConfigError as error:
            # pylint's own message for a broken configuration, rather than a crash report.
            self.add_message("config-parse-error", line=1, args=(str(error),))
            return
        for diagnostic in found:
            self.add_message(diagnostic.name, line=diagnostic.line, col_offset=diagnostic.column - 1,
                             end_lineno=diagnostic.location.end_line,
                             end_col_offset=diagnostic.location.end_column - 1,
                             args=(f"{diagnostic.code} {diagnostic.message}",))


def register(linter: PyLinter) -> None:
    linter.register_checker(LayerlintChecker(linter))
