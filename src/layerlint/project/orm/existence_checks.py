"""Existence checks: queries whose rows are only tested for presence, never read.

Such a query asks whether a row exists, and whether a soft-deleted row counts is part of that
question, not a forgotten filter. Two shapes say which answer the code wants:
- an existence check before an insert: the result is only tested (`row is None`, `row is not
  None`, `not row`, `if row:`) and the branch taken when no row was found creates a row of the
  same model (`session.add(Model(...))`, `insert(Model)`, `insert(table)` of the model's table,
  `create(...)` on the model or on a repository bound to it). A soft-deleted row still holds its
  unique values: the insert would fail on it, so the check must see it.
- an existence function: the function's every answer is that presence test (`return row is not
  None`, or `True`/`False` after testing it), and it reads nothing from the row. Whether deleted
  rows count is its callers' question; the function itself leaks no deleted row.

The facts keep control flow only as loop depth, so the statements of an `if` are told by their
indentation: those after the test indented deeper than the `if` keyword.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from layerlint.core.records import field, record
from layerlint.project.index.symbols import Symbol
from layerlint.project.index.types import TypeRef
from layerlint.project.orm.crud_libraries import library_object
from layerlint.project.orm.sessions import KEEPS_OBJECT, statement_builder
from layerlint.project.orm.soft_delete import (
    RESULT_METHODS,
    FunctionQueries,
    bound_models,
)
from layerlint.project.reading.expr import (
    Attribute,
    BoolOp,
    Call,
    Compare,
    Constant,
    Expr,
    IfExp,
    List,
    Name,
    Tuple,
    UnaryOp,
    call_args,
    calls_in,
    dotted,
    unawait,
)
from layerlint.project.reading.facts import Event, FunctionFact, ModuleFacts

if TYPE_CHECKING:  # the model builds this analysis; the analysis needs only its type
    from layerlint.project.project import Project

# A result's steps to its row or value: `result.scalars().first()`, `.unique().scalar_one_or_none()`.
_RESULT_STEPS = RESULT_METHODS | {"scalars", "unique"}
_CREATES = frozenset({"create", "create_one", "add", "insert"})  # a repository's or a model's own insert
_IF_KEYWORD = 3  # `if ` before a test: the `if` is this many columns left of its test


@record
class _Uses:
    """Where a query's result goes in a function: the locals holding it, and its presence tests."""

    call: Call
    names: set[str] = field(default_factory=set)
    tests: list[tuple[int, bool]] = field(default_factory=list)  # (event, true when no row was found)
    answers: int = 0  # returns whose value is the presence test
    read: bool = False  # used otherwise than tested: a row is read, returned or handed on

    def holds(self, expr: Expr | None) -> bool:
        """`expr` is the result, or its row or value, or a local holding one."""
        expr = unawait(expr)
        if expr is self.call:
            return True
        if isinstance(expr, Name):
            return expr.id in self.names
        if isinstance(expr, Call) and isinstance(expr.func, Attribute) and expr.func.attr in _RESULT_STEPS \
                and not call_args(expr):
            return self.holds(expr.func.value)
        return False

    def absent_when(self, expr: Expr, test: bool) -> bool | None:
        """True for a test that holds when no row was found (`row is None`, `not row`), False for
        its opposite (`row is not None`, `row` as a condition), None when `expr` is no such test."""
        if isinstance(expr, Compare) and len(expr.ops) == 1 and expr.comparators[0] == Constant(None) \
                and expr.ops[0] in ("is", "==", "is not", "!=") and self.holds(expr.left):
            return expr.ops[0] in ("is", "==")
        if isinstance(expr, UnaryOp) and expr.op == "not":
            inner = self.absent_when(expr.operand, True)
            return None if inner is None else not inner
        if isinstance(expr, Call) and dotted(expr.func) == "bool" and len(call_args(expr)) == 1:
            return self.absent_when(call_args(expr)[0], True)
        return False if test and self.holds(expr) else None

    def scan(self, expr: Expr | None, test: bool) -> None:
        """Mark `read` when the result is used in `expr` otherwise than tested for presence."""
        if expr is None or self.read:
            return
        if self.absent_when(expr, test) is not None:
            return
        if self.holds(expr):
            self.read = True
            return
        if isinstance(expr, IfExp):
            self.scan(expr.test, True)
            self.scan(expr.body, test)
            self.scan(expr.orelse, test)
            return
        conditions = test and isinstance(expr, BoolOp)  # `row is None or row.expired`
        for child in expr.children():
            self.scan(child, conditions)


def _uses(function: FunctionFact, call: Call) -> _Uses:
    uses = _Uses(call)
    for number, event in enumerate(function.events):
        value, target = event.value, event.target
        if event.kind in ("assign", "annassign") and isinstance(target, Name) and uses.holds(value):
            uses.names.add(target.id)  # `result = await session.execute(stmt)`, `row = result.first()`
            continue
        test = event.kind == "test"
        found = uses.absent_when(value, test) if value is not None else None
        if found is not None and test:
            uses.tests.append((number, found))
        elif found is not None and event.kind == "return":
            uses.answers += 1
        uses.scan(value, test)
        if not isinstance(target, Name):
            uses.scan(target, False)  # `row.name = ...` writes the row
    return uses


def answers_existence(function: FunctionFact, call: Call) -> bool:
    """The function's every answer is whether the query found a row, and it reads nothing of the row."""
    uses = _uses(function, call)
    if uses.read or not (uses.answers or uses.tests):
        return False
    returns = [e.value for e in function.events if e.kind == "return"]
    return bool(returns) and all(
        uses.absent_when(value, False) is not None or value in (Constant(True), Constant(False))
        for value in returns if value is not None) and None not in returns


def checks_before_insert(project: Project, facts: ModuleFacts, function: FunctionFact, call: Call,
                         model: Symbol, queries: FunctionQueries) -> bool:
    """The query's result is only tested for presence, and the branch taken when no row was found
    creates a row of `model`."""
    uses = _uses(function, call)
    if uses.read or not uses.tests:
        return False
    creates = _Creates(project, facts, function, model, queries)
    events = function.events
    for number, absent in uses.tests:
        margin = events[number].span.column - _IF_KEYWORD
        end = number + 1
        while end < len(events) and events[end].span.column > margin:
            end += 1
        body = events[number + 1:end]
        if absent and any(creates(e) for e in body):
            return True
        # `if row is not None: raise Conflict(...)`, then the insert: it runs only when none was found
        if not absent and body and body[-1].kind in ("raise", "return") and any(creates(e) for e in events[end:]):
            return True
    return False


class _Creates:
    """Whether a statement inserts a row of the model."""

    def __init__(self, project: Project, facts: ModuleFacts, function: FunctionFact, model: Symbol,
                 queries: FunctionQueries) -> None:
        self.project = project
        self.facts = facts
        self.function = function
        self.model = model
        self.queries = queries
        self.cls = TypeRef(Symbol("class", facts.module, function.class_name)) if function.class_name else None

    def __call__(self, event: Event) -> bool:
        return any(self._inserts(node, event.span.line) for node in calls_in(event.value))

    def _inserts(self, call: Call, line: int) -> bool:
        func, args = call.func, call_args(call)
        if isinstance(func, Attribute) and func.attr in KEEPS_OBJECT and args and self.queries.sessions.is_session(func.value):
            rows = args[0].elts if isinstance(args[0], (List, Tuple)) else args[:1]
            return any(self.queries.instance_model(row) == self.model for row in rows)
        if args and statement_builder(self.project.index, self.facts.module, func) == "insert":
            return self.queries.model_of(args[0]) == self.model or self._is_table(args[0])
        if isinstance(func, Attribute) and func.attr in _CREATES:
            if self.queries.model_of(func.value) == self.model:
                return True  # `User.create(...)`
            crud = library_object(self.project, self.facts.module, self.function, func.value, line)
            if crud is not None:
                return crud.model == self.model  # `crud_users.create(db=db, object=...)`
            found = self.project.types.expression(self.facts.module, self.function, func.value, self.cls, line)
            return found is not None and self.model in bound_models(self.project, found)  # a repository's
        return False

    def _is_table(self, expr: Expr) -> bool:
        """`user_table` holding `Table("user", metadata, ...)`: a table of the model's name."""
        value = unawait(self.queries.values.get(expr.id)) if isinstance(expr, Name) else expr
        if not isinstance(value, Call) or not call_args(value) or \
                not self.project.index.resolve_expr(self.facts.module, value.func).dotted.endswith(".Table"):
            return False
        return call_args(value)[0] == Constant(table_name(self.project, self.model))


def table_name(project: Project, model: Symbol) -> str:
    """The model's `__tablename__`, or the lowercased class name SQLModel gives a table by default."""
    for owner in project.index.mro(model):
        fact = project.index.class_fact(owner)
        for found in fact.fields if fact else []:
            if found.name == "__tablename__" and isinstance(found.value, Constant) and isinstance(found.value.value, str):
                return found.value.value
    return model.name.lower()
