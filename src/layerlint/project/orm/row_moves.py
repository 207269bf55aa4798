"""Moves: queries whose rows are only re-pointed at another parent, never read.

A task or script that moves rows from one parent to another (a customer merged into another,
products handed to another organization) selects the rows that reference the old parent and
re-points them. A soft-deleted row references the old parent as much as a live one does: a move
that skips it leaves it pointing there, where a restore brings it back and the old parent's delete
cascades to it. So a move must select deleted rows too, and since it reads nothing of them, no
deleted row reaches a user or a decision.

A query is a move when all of these hold:
- its conditions pick the rows by what they reference: they test at least one column of the
  selected model, and every column of the model they test is a foreign key (`Order.customer_id ==
  old.id`, `Checkout.product_id.in_(ids)`). A condition on the primary key or on another column
  names particular rows, and changing those is an edit, which must not reach a deleted row;
- every use of its rows is a write: iterating them (`for row in rows`), assigning a foreign key or
  a relationship of a row (`row.customer_id = new.id`, `row.customer = new`) from a value that
  reads none of the rows, handing a row back to the session as a statement of its own
  (`session.add(row)`, `session.add_all(rows)`, `session.merge(row)`), counting them
  (`len(rows)` outside a condition: how many were moved), or listing their primary keys in the
  conditions of another move of the function (`Line.order_id.in_([o.id for o in orders])`: the
  rows that reference the moved ones move with them);
- at least one row is written: a foreign key or relationship assigned, or the row handed back to
  the session (a loop that only adds the rows back reads nothing either: a no-op, not a leak).
Anything else reads the rows: returning, storing (`self.rows = rows`) or passing them on, reading
an attribute, testing them, a function defined inside that names them, or writing another column
(`row.deleted_at = now()` would re-delete deleted rows and overwrite when they were deleted).

The facts keep control flow only as loop depth, so the function's statements are read in order:
a local that is bound again to something else stops holding the rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from layerlint.core.records import field, record
from layerlint.project.index.symbols import Symbol
from layerlint.project.orm.sessions import KEEPS_OBJECT
from layerlint.project.orm.soft_delete import (
    RESULT_METHODS,
    ROWS_STEPS,
    FunctionQueries,
    Statement,
    relationship_model,
)
from layerlint.project.reading.expr import (
    Attribute,
    Call,
    Comprehension,
    Expr,
    Name,
    call_args,
    call_kwargs,
    dotted,
    unawait,
    walk,
)
from layerlint.project.reading.facts import Event, FunctionFact, ModuleFacts

if TYPE_CHECKING:  # the model builds this analysis; the analysis needs only its type
    from layerlint.project.project import Project

# A result's steps to its rows (`result.unique().scalars().all()`) or to one row (`.scalar_one()`).
_MANY, _ONE = "rows", "row"


def only_moved(project: Project, facts: ModuleFacts, function: FunctionFact, call: Call, state: Statement,
               depth: int = 0) -> bool:
    """The rows `call` runs `state` for are picked by what they reference and only re-pointed."""
    model = state.model
    if model is None:
        return False
    queries = project.session_calls.queries(facts, function)
    if not _picked_by_reference(project, queries, state, model):
        return False
    moves = _Moves(project, facts, function, queries, model, call, depth)
    if not all(moves.allows(event) for event in function.events) or not moves.writes:
        return False
    return not _named_inside(facts, function, moves.names())


def _picked_by_reference(project: Project, queries: FunctionQueries, state: Statement, model: Symbol) -> bool:
    """The statement's conditions test columns of `model`, and each is a foreign key."""
    tested: set[str] = set()
    for condition in state.conditions:
        if isinstance(condition.func, Attribute) and condition.func.attr == "filter_by":
            tested.update(call_kwargs(condition))  # `**values` names no column: "**" is none of the fields
        for argument in call_args(condition):
            tested.update(node.attr for node in walk(argument)
                          if isinstance(node, Attribute) and queries.model_of(node.value) == model)
    fields = project.model_fields.of(model)
    return bool(tested) and all(name in fields and fields[name].foreign_key for name in tested)


def _named_inside(facts: ModuleFacts, function: FunctionFact, names: set[str]) -> bool:
    """A function defined inside `function` names one of `names`: it may read the rows."""
    prefix = f"{function.qualname}.<locals>."
    return any(isinstance(node, Name) and node.id in names
               for inner in facts.functions if inner.qualname.startswith(prefix)
               for event in inner.events for expr in (event.value, event.target) for node in walk(expr))


@record
class _Moves:
    """Follows a query's result through the function's statements, in order."""

    project: Project
    facts: ModuleFacts
    function: FunctionFact
    queries: FunctionQueries
    model: Symbol
    call: Call
    depth: int  # moves followed to get here (the ids of one move's rows pick another's)
    held: dict[str, str] = field(default_factory=dict)  # local -> _MANY (the result, its rows) or _ONE (a row)
    writes: int = 0  # foreign keys and relationships assigned, rows handed back to the session

    def names(self) -> set[str]:
        return set(self.held)

    def holds(self, expr: Expr | None) -> str | None:
        """_MANY when `expr` is the result or its rows, _ONE when it is one of its rows, else None."""
        expr = unawait(expr)
        if expr is self.call:
            return _MANY
        if isinstance(expr, Name):
            return self.held.get(expr.id)
        if isinstance(expr, Call) and isinstance(expr.func, Attribute) and not call_args(expr) \
                and not call_kwargs(expr) and self.holds(expr.func.value) == _MANY:
            step = expr.func.attr
            return _MANY if step in ROWS_STEPS else _ONE if step in RESULT_METHODS else None
        return None

    def allows(self, event: Event) -> bool:
        """The statement only writes the rows, or does not touch them."""
        target, value, kind = event.target, event.value, event.kind
        if kind in ("assign", "annassign", "for") and isinstance(target, Name):
            return self._binds(target.id, value, kind)
        if kind in ("assign", "annassign") and isinstance(target, Attribute) and isinstance(target.value, Name) \
                and self.held.get(target.value.id) == _ONE:
            if not self._repoints(target.attr) or self.reads(value, False):
                return False
            self.writes += 1
            return True
        if kind == "expr" and self._hands_back(value):
            self.writes += 1
            return True
        test = kind == "test"
        return not (self.reads(value, test) or self.reads(target, test))

    def _binds(self, name: str, value: Expr | None, kind: str) -> bool:
        """`rows = result.scalars().all()`, `for row in rows`; or the local is bound to something else."""
        found = self.holds(value)
        if found is None:
            if self.reads(value, False):
                return False
            self.held.pop(name, None)
            return True
        if kind == "for":
            if found != _MANY:
                return False  # iterating over a row reads it
            found = _ONE
        self.held[name] = found
        return True

    def _repoints(self, attr: str) -> bool:
        """`attr` is a foreign key or a relationship of the model."""
        column = self.project.model_fields.of(self.model).get(attr)  # a relationship is a field too
        return (column is not None and column.foreign_key) or \
            relationship_model(self.project, self.model, attr, False) is not None

    def _hands_back(self, value: Expr | None) -> bool:
        """`session.add(row)`, `await session.merge(row)`, `session.add_all(rows)` as a statement."""
        value = unawait(value)
        return isinstance(value, Call) and isinstance(value.func, Attribute) and value.func.attr in KEEPS_OBJECT \
            and len(call_args(value)) == 1 and not call_kwargs(value) and self.holds(call_args(value)[0]) is not None \
            and self.queries.sessions.is_session(value.func.value)

    def reads(self, expr: Expr | None, test: bool) -> bool:
        """`expr` uses the result or a row otherwise than counting the rows (`len(rows)`, not in a test)."""
        if expr is None:
            return False
        if not test and isinstance(expr, Call) and dotted(expr.func) == "len" and len(call_args(expr)) == 1 \
                and self.holds(call_args(expr)[0]) == _MANY:
            return False
        if self.holds(expr) is not None:
            return True
        if isinstance(expr, Comprehension) and self._keys(expr) and self._picks_move(expr):
            return False
        return any(self.reads(child, test) for child in expr.children())

    def _keys(self, expr: Comprehension) -> bool:
        """`[row.id for row in rows]`: the primary keys of the rows, nothing else of them."""
        if len(expr.generators) != 1 or len(expr.elts) != 1:
            return False
        generator, element = expr.generators[0], expr.elts[0]
        fields = self.project.model_fields.of(self.model)
        keys = {name for name, found in fields.items() if found.primary_key} or {"id"}
        return not generator.ifs and isinstance(generator.target, Name) and self.holds(generator.iter) == _MANY \
            and isinstance(element, Attribute) and element.value == generator.target and element.attr in keys

    def _picks_move(self, keys: Comprehension) -> bool:
        """`keys` is in the conditions of another query of the function that is a move: the moved
        rows' ids pick the rows that move with them (`BillingEntry.subscription_id.in_(...)`)."""
        if self.depth >= 2:
            return False
        for item in self.project.session_calls.of(self.facts, self.function):
            state = item.statement
            if state is not None and item.call is not self.call and \
                    any(node is keys for condition in state.conditions for node in walk(condition)):
                return only_moved(self.project, self.facts, self.function, item.call, state, self.depth + 1)
        return False
