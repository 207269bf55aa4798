"""Per-module facts: everything every rule needs, extracted in one parse, JSON-serialisable.

Rules run on facts, never on trees, so a module's facts can be cached by content hash and the
whole-project rules re-run without re-parsing anything. Expressions are kept as small
typed values (see `expr.py`); `compact.py` turns facts into JSON-safe lists and back.
"""

from __future__ import annotations

import os
import threading
import unicodedata
from collections.abc import Callable
from typing import Any

from layerlint.core.records import field, record
from layerlint.project.reading.expr import Expr, Span

__all__ = ["ClassFact", "Event", "Expr", "FieldFact", "FunctionFact", "ImportFact", "ModuleFacts",
           "MENTIONABLE", "ParamFact", "ParseFailureFact", "Span", "UnreadBodies", "leave_unread", "mentioned"]


@record(slots=True)
class ImportFact:
    kind: str  # "import" (import a.b as c) or "from" (from a import b as c)
    target: str  # absolute module written in the statement (relative imports resolved)
    name: str | None  # the imported name for "from" imports ("*" for star imports)
    bound: str  # the local name the statement binds
    span: Span
    level: int = 0  # dots of a relative import
    type_checking: bool = False
    in_function: bool = False


@record(slots=True)
class ParamFact:
    name: str
    kind: str  # "posonly", "arg", "vararg", "kwonly", "kwarg"
    annotation: Expr | None
    default: Expr | None
    span: Span


@record(slots=True)
class Event:
    """One statement of a body, flattened: control flow is kept as loop depth, and as how many of
    those loops are certainly left once the statement has run (`exits`)."""

    kind: str  # assign, annassign, augassign, return, raise, expr, for, with, delete, test
    span: Span
    loop: int  # enclosing for/while loops within the function
    target: Expr | None = None
    value: Expr | None = None
    annotation: Expr | None = None
    # The innermost `exits` of the `loop` enclosing loops are left after this statement on every
    # path (its block goes on to `return`, `raise` or `break`): it runs at most once per entry
    # of the loops outside them. `loop` when the function returns after it.
    exits: int = 0


@record(slots=True)
class FunctionFact:
    name: str
    qualname: str
    span: Span  # the `def` keyword to the end of the name
    end_line: int
    is_async: bool
    class_name: str | None  # qualname of the class the function is a method of
    nested: bool  # defined inside another function
    decorators: list[Expr] = field(default_factory=list)
    params: list[ParamFact] = field(default_factory=list)
    returns: Expr | None = None
    events: list[Event] = field(default_factory=list)
    # Where the return annotation is, and each call decorator's keywords (`response_model=...`)
    # as name -> span of `name=value`, one dict per decorator: a signature spread over lines is
    # reported at the part the user edits, not at the `def`.
    returns_span: Span | None = None
    decorator_keywords: list[dict[str, Span]] = field(default_factory=list)


class UnreadBodies:
    """The events of a module's functions, still as stored: read into every one of them the first
    time any one's are (`FunctionFact.events`). A run after an edit reads the bodies of the modules
    it re-checks and of few others, and the bodies are most of a module's facts."""

    __slots__ = ("functions", "read")

    def __init__(self, functions: list[FunctionFact], read: Callable[[], list[list[Event]]]) -> None:
        self.functions = functions
        self.read: Callable[[], list[list[Event]]] | None = read

    def fill(self) -> None:
        with _filling:  # the language server's threads may read one module at once
            if self.read is not None:
                for function, events in zip(self.functions, self.read(), strict=True):
                    _EVENTS.__set__(function, events)
                self.read = None


def leave_unread(functions: list[FunctionFact], read: Callable[[], list[list[Event]]]) -> None:
    """Give these functions (a module's, in order) the events `read()` returns, when first read."""
    unread = UnreadBodies(functions, read)
    for function in functions:
        _EVENTS.__set__(function, unread)


class _ReadWhenAsked:
    """`FunctionFact.events`: the slot, filled from an `UnreadBodies` on first read."""

    def __get__(self, function: FunctionFact | None, owner: type | None = None) -> Any:
        if function is None:
            return self
        events = _EVENTS.__get__(function, owner)
        if type(events) is UnreadBodies:
            events.fill()
            events = _EVENTS.__get__(function, owner)
        return events

    def __set__(self, function: FunctionFact, events: list[Event]) -> None:
        _EVENTS.__set__(function, events)


def _new_lock() -> None:
    global _filling
    _filling = threading.Lock()


_EVENTS: Any = FunctionFact.__dict__["events"]  # the slot's own descriptor
_filling = threading.Lock()
# A process forked while another thread fills a module's bodies must not inherit the lock held.
os.register_at_fork(after_in_child=_new_lock)
setattr(FunctionFact, "events", _ReadWhenAsked())


@record(slots=True)
class FieldFact:
    """A class-body assignment: `name: annotation = value`, or `name = value`."""

    name: str
    annotation: Expr | None
    value: Expr | None
    span: Span


@record(slots=True)
class ClassFact:
    name: str
    qualname: str
    span: Span
    end_line: int
    bases: list[Expr] = field(default_factory=list)
    keywords: dict[str, Expr] = field(default_factory=dict)
    decorators: list[Expr] = field(default_factory=list)
    fields: list[FieldFact] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)  # function qualnames


@record(slots=True)
class ParseFailureFact:
    message: str
    line: int
    column: int


@record(slots=True)
class ModuleFacts:
    module: str  # dotted name
    path: str  # relative to the project root, "/"-separated
    is_package: bool
    failure: ParseFailureFact | None = None
    lowered: bool = False
    imports: list[ImportFact] = field(default_factory=list)
    classes: list[ClassFact] = field(default_factory=list)
    functions: list[FunctionFact] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)  # module-level statements
    noqa: dict[int, list[str]] = field(default_factory=dict)
    type_checking_names: list[str] = field(default_factory=list)
    # Which of `MENTIONABLE` the source's text contains: an analysis that looks for a call of one
    # of these names skips the modules without it instead of walking every body.
    mentions: list[str] = field(default_factory=list)


# Names an analysis looks for in every module's bodies: a module's text holds the name of each
# thing it calls, so one whose text lacks the name cannot call it. The route table looks for
# `include_router` in every function of every module: 0.35 s of a run on polar's server
# (1,171 modules), where 9 modules' text has it. The roles look for a function that builds the
# `FastAPI` app in every module no glob names (720 of polar's, whose bodies it decoded: a third
# of the roles' time after an edit). The roles look for a module that runs itself too.
MENTIONABLE = ("include_router", "FastAPI", "__main__")


def mentioned(source: str) -> list[str]:
    """The names of `MENTIONABLE` that a module with this source may use."""
    if not source.isascii():  # Python reads identifiers in NFKC: `ｉnclude_router` is `include_router`
        source = unicodedata.normalize("NFKC", source)
    return [name for name in MENTIONABLE if name in source]
