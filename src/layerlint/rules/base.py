"""What a rule is: a code, a name, a summary, its documentation, a check over the project, and what
the check reads: its scope, the project's analyses and the configuration keys."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from enum import Enum

from layerlint.core.diagnostic import Diagnostic, ImportStep, Location, Severity
from layerlint.core.records import record
from layerlint.project.project import Project, closure_local, whole_inputs
from layerlint.project.reading.facts import ModuleFacts, Span

DOC_SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead")
DOCS_URL = "https://github.com/layerlint/layerlint/blob/main/docs/rules.md"


@record(frozen=True)
class Finding:
    """What a check reports: where, and the message; the engine adds the rule's code and name."""

    module: ModuleFacts
    span: Span | tuple[int, int, int, int]
    message: str
    chain: tuple[ImportStep, ...] = ()  # an import chain's steps, for adapters (Diagnostic.chain)


Check = Callable[[Project], Iterator[Finding]]


class Scope(Enum):
    """How far a rule looks to decide a finding."""

    MODULE = "module"  # one module at a time, given the model: a finding depends on its module and the analyses
    PROJECT = "project"  # compares modules with each other: a finding depends on the whole project


@record(frozen=True)
class Rule:
    code: str
    name: str
    summary: str
    docs: str  # markdown, with the DOC_SECTIONS
    check: Check
    severity: Severity = Severity.ERROR
    tags: tuple[str, ...] = ()
    scope: Scope = Scope.MODULE
    analyses: tuple[str, ...] = ()  # the Project analyses (and rule-defined `derived` ones) the check reads
    options: tuple[str, ...] = ()  # the `[tool.layerlint]` keys it reads, dotted: "models.id-prefix"

    @property
    def local(self) -> bool:
        """A finding in a module depends only on the facts of the module's import closure: it
        reads its module (Scope.MODULE) and local analyses only (tests/test_module_locality.py)."""
        return self.scope is Scope.MODULE and closure_local(self.analyses)

    @property
    def whole_inputs(self) -> tuple[str, ...] | None:
        """The whole analyses that, with a module's import closure, decide this rule's findings in
        the module (the check cache keys them by both); None when they may depend on more: a
        project-scope rule, or one reading call sites or a rule-defined analysis."""
        return whole_inputs(self.analyses) if self.scope is Scope.MODULE else None

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
         severity: Severity = Severity.ERROR, scope: Scope, analyses: tuple[str, ...],
         options: tuple[str, ...] = ()) -> Callable[[Check], Rule]:
    """Decorate a rule's check function; pass the rule module's docstring as its documentation.
    Every rule says what it reads (tests/test_rule_declarations.py holds it to that): its scope,
    the analyses it reads itself (those they read follow from `Project`), and the configuration
    keys its `## Options` section documents."""
    def wrap(check: Check) -> Rule:
        return Rule(code, name, summary, (docs or "").strip(), check, severity, tags, scope, analyses, options)
    return wrap
