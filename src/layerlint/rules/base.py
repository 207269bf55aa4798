"""What a rule is: a code, a name, a summary, its documentation, and a check over the project."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from layerlint.core.diagnostic import Diagnostic, ImportStep, Location, Severity
from layerlint.project.facts import ModuleFacts, Span
from layerlint.project.project import Project

DOC_SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead")
DOCS_URL = "https://github.com/layerlint/layerlint/blob/main/docs/rules.md"


@dataclass(frozen=True)
class Finding:
    """What a check reports: where, and the message; the engine adds the rule's code and name."""

    module: ModuleFacts
    span: Span | tuple[int, int, int, int]
    message: str
    chain: tuple[ImportStep, ...] = ()  # an import chain's steps, for adapters (Diagnostic.chain)


Check = Callable[[Project], Iterator[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    summary: str
    docs: str  # markdown, with the DOC_SECTIONS
    check: Check
    severity: Severity = Severity.ERROR
    tags: tuple[str, ...] = ()

    @property
    def anchor(self) -> str:
        """The rule's heading in docs/rules.md."""
        return f"{self.code.lower()}-{self.name}"

    @property
    def help_uri(self) -> str:
        return f"{DOCS_URL}#{self.anchor}"

    def diagnostic(self, finding: Finding) -> Diagnostic:
        line, column, end_line, end_column = finding.span
        return Diagnostic(finding.module.path, Location(line, column, end_line, end_column), self.code,
                          self.name, finding.message, self.severity, finding.chain)


def rule(code: str, name: str, summary: str, docs: str | None, *, tags: tuple[str, ...] = (),
         severity: Severity = Severity.ERROR) -> Callable[[Check], Rule]:
    """Decorate a rule's check function; pass the rule module's docstring as its documentation."""
    def wrap(check: Check) -> Rule:
        return Rule(code, name, summary, (docs or "").strip(), check, severity, tags)
    return wrap
