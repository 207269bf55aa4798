"""The pylint checker: one pylint message per layerlint finding, ids from an explicit table.

Message ids are `<E|W|C>68nn`, the letter from the rule's default severity and the number from
`MESSAGE_NUMBERS`: LL101 is E6811, LL207 W6827, LL701 C6871.
Checker id 68 is used by neither pylint (its own checkers and extensions use 00-37, 47-49, 55,
56, 60-63, 90) nor the plugins we checked (pylint-django 51, pylint-pytest 64, perflint 81/82, pylint-odoo 79/81, 77
and 96 by smaller plugins). Symbolic names are the rule names, so
`# pylint: disable=router-imports-repository` works.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pylint.checkers import BaseRawFileChecker
from pylint.constants import WarningScope
from pylint.typing import MessageDefinitionTuple

from layerlint.core.config import ConfigError
from layerlint.core.diagnostic import Severity
from layerlint.integrations.findings import LintRun
from layerlint.rules import RULES

if TYPE_CHECKING:
    from astroid import nodes  # type: ignore[import-untyped]  # astroid ships no type information
    from pylint.lint import PyLinter

CHECKER_ID = "68"

# A rule's number never changes once released (users write `--disable=E6811`). The first rules
# took 68ac for LLa0c; a new rule takes the next free number of its family's ten (LL106: 6816)
# and, once those are used (LL110 onwards), a free number from 6899 down. pylint wants one
# checker id for all of a checker's messages: every number starts with 68.
MESSAGE_NUMBERS: dict[str, str] = {
    "LL001": "6801",
    "LL101": "6811", "LL102": "6812", "LL103": "6813", "LL104": "6814", "LL105": "6815",
    "LL201": "6821", "LL202": "6822", "LL203": "6823", "LL204": "6824", "LL205": "6825", "LL206": "6826",
    "LL207": "6827",
    "LL301": "6831", "LL302": "6832", "LL303": "6833", "LL304": "6834", "LL305": "6835",
    "LL401": "6841", "LL402": "6842", "LL403": "6843",
    "LL501": "6851", "LL502": "6852",
    "LL601": "6861", "LL602": "6862", "LL603": "6863", "LL604": "6864",
    "LL701": "6871", "LL702": "6872", "LL703": "6873", "LL704": "6874",
}


def message_id(code: str, severity: Severity) -> str:
    """The table's number after the severity's letter: E6811 for LL101, an error, C6871 for LL701, a
    convention. pylint fixes a message's type when the checker is registered, so the rule's default
    severity is used; `[tool.layerlint.severity]` cannot change it there (pylint's own
    `--disable` and `--fail-on` can)."""
    number = MESSAGE_NUMBERS.get(code)
    if number is None:
        raise ValueError(f"{code} has no pylint message id: add it to MESSAGE_NUMBERS")
    return f"{severity.pylint_letter}{number}"


def _messages() -> dict[str, MessageDefinitionTuple]:
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
