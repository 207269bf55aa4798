"""The Diagnostic value every rule produces and every reporter consumes."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from layerlint.core.records import record

if TYPE_CHECKING:  # a finding carries a fix only when a fixer made one: its module is imported there
    from layerlint.core.fix import Fix


class Severity(str, Enum):
    """How bad a finding is: each rule declares its default, `[tool.layerlint.severity]` changes it.
    The adapters translate it (their words for the three levels, from the most serious)."""

    ERROR = "error"  # a defect or a broken layer: SARIF error, GitHub ::error, pylint E
    WARNING = "warning"  # a likely problem or a rule of the style guide: warning, ::warning, pylint W
    CONVENTION = "convention"  # style that helps the other rules (annotations): note, ::notice, pylint C

    @property
    def sarif_level(self) -> str:
        return {"error": "error", "warning": "warning", "convention": "note"}[self.value]

    @property
    def github_command(self) -> str:
        return {"error": "error", "warning": "warning", "convention": "notice"}[self.value]

    @property
    def gitlab_severity(self) -> str:
        """GitLab Code Quality's scale is info, minor, major, critical, blocker; no finding stops a build."""
        return {"error": "major", "warning": "minor", "convention": "info"}[self.value]

    @property
    def pylint_letter(self) -> str:
        return {"error": "E", "warning": "W", "convention": "C"}[self.value]


@record(frozen=True, order=True)
class Location:
    """A 1-based span; columns count characters, not bytes."""

    line: int
    column: int
    end_line: int
    end_column: int


@record(frozen=True, order=True)
class ImportStep:
    """One import of a chain: `importer` imports `imported` at `line` (of the importer)."""

    importer: str
    imported: str
    line: int


@record(frozen=True)
class Diagnostic:
    path: str  # relative to the project root, "/"-separated
    location: Location
    code: str
    name: str
    message: str
    severity: Severity = Severity.ERROR
    # The imports from the reported module to the one it must not reach (LL102), for adapters that
    # show each step (import-linter); the message says the same in words.
    chain: tuple[ImportStep, ...] = ()
    # Computed apart from the finding (layerlint.fixing), only when a front end shows or applies it.
    fix: Fix | None = None

    @property
    def line(self) -> int:
        return self.location.line

    @property
    def column(self) -> int:
        return self.location.column

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.location.line, self.location.column, self.code, self.message)


_new = object.__new__


def restored(path: str, line: int, column: int, end_line: int, end_column: int, code: str, name: str,
             message: str, severity: Severity, chain: tuple[ImportStep, ...]) -> Diagnostic:
    """A Diagnostic read back from the cache, its values already checked. A frozen dataclass's
    `__init__` sets each field through `object.__setattr__`; this fills the two objects' fields at
    once (a warm run at 100k lines restores 2,477 findings: 4 ms that way, 2 ms this way).
    Equal to `Diagnostic(path, Location(...), ...)`: tests/test_cache_stores.py checks it."""
    location = _new(Location)
    location.__dict__.update(line=line, column=column, end_line=end_line, end_column=end_column)
    diagnostic = _new(Diagnostic)
    diagnostic.__dict__.update(path=path, location=location, code=code, name=name, message=message,
                               severity=severity, chain=chain, fix=None)
    return diagnostic


def moved(diagnostic: Diagnostic, path: str) -> Diagnostic:
    """`dataclasses.replace(diagnostic, path=path)` without the frozen dataclass's `__init__`: the
    CLI shows every finding under another path when it runs from outside the project (bench.py's
    warm run at 100k lines moves 2,477 findings). tests/test_cache_stores.py checks it equals
    `replace`."""
    copy = _new(Diagnostic)
    copy.__dict__.update(diagnostic.__dict__, path=path)
    return copy
