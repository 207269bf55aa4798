"""Soft delete in queries: which statements filter out deleted rows, followed through a function.

A statement is tracked from `select(Model)` through assignments (`stmt = select(Item)`, later
`stmt = stmt.where(...)`), method chains (`.where/.filter/.filter_by`, and anything else that
returns a statement: `.order_by`, `.limit`, ...), helpers of the repository base class or the
project that add the filter, and helpers that hand the statement back (followed into their body),
to the session call that runs it. Legacy `session.query(Model)` chains run at `.all()`, `.first()`,
... The objects passed to `session.delete(...)` are traced to their model the same way. Everything
is read from the function's events in statement order; what cannot be known stays unknown.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING

from layerlint.core.records import record
from layerlint.project.index.models import (
    is_declarative_class,
    is_table_model,
    table_model_named,
)
from layerlint.project.index.symbols import Symbol, SymbolIndex
from layerlint.project.index.types import TypeRef, alternatives, is_typevar
from layerlint.project.orm.model_fields import class_fields, unwrap_annotation
from layerlint.project.orm.sessions import FunctionSessions, statement_builder
from layerlint.project.orm.soft_delete_filters import (
    function_filters,
    is_filter_helper,
    mentions_soft_delete,
)
from layerlint.project.reading.expr import (
    Attribute,
    Call,
    Compare,
    Comprehension,
    Constant,
    Expr,
    Name,
    Starred,
    Subscript,
    Tuple,
    call_args,
    call_kwargs,
    calls_in,
    dotted,
    dotted_ends_with,
    unawait,
    walk,
)
from layerlint.project.reading.facts import FunctionFact, ModuleFacts, Span

if TYPE_CHECKING:  # the model builds this analysis; the analysis needs only its type
    from layerlint.project.project import Project

JOIN_METHODS = frozenset({"join", "join_from"})  # inner joins: an outer join's filter belongs in its ON clause
FILTER_METHODS = frozenset({"where", "filter", "filter_by", "options"})  # options: with_loader_criteria
CONDITION_METHODS = FILTER_METHODS - {"options"}  # what picks the rows
SINK_METHODS = frozenset({"execute", "exec", "scalars", "scalar"})
QUERY_TERMINALS = frozenset({"all", "first", "one", "one_or_none", "scalar", "count", "get", "delete"})
_TYPE_OF = frozenset({"builtins.type", "typing.Type"})
_COLLECTIONS = frozenset({"builtins.list", "builtins.set", "builtins.tuple", "typing.List", "typing.Set",
                          "typing.Sequence", "collections.abc.Sequence", "typing.Iterable",
                          "collections.abc.Iterable", "typing.Collection", "collections.abc.Collection"})
# Copies of a collection that keep its elements: `list(rows)`, `sorted(rows, key=...)`.
ROW_COPIES = frozenset({"builtins.list", "builtins.tuple", "builtins.set", "builtins.sorted", "builtins.reversed"})
RESULT_METHODS = frozenset({"scalar_one", "scalar_one_or_none", "first", "one", "one_or_none", "scalar"})
_ROW_METHODS = RESULT_METHODS - SINK_METHODS  # a result's row or value, not a query of its own
ROWS_STEPS = frozenset({"scalars", "unique", "all", "fetchall"})  # a result's rows, all of them
_KEY_STEPS = _ROW_METHODS | ROWS_STEPS  # a result's values, one or all
# Calls that copy a collection as it is (`list(ids)`): the same items.
COLLECTION_COPIES = frozenset({"list", "set", "tuple", "frozenset", "sorted"})
# The methods a session call is judged by (`SessionCalls`), and those run on a legacy query.
_JUDGED_METHODS = SINK_METHODS | {"get", "delete"} | QUERY_TERMINALS


@record(frozen=True)
class Statement:
    model: Symbol | None  # the selected table model; None when unknown (`select(self.model)`)
    filtered: bool  # a deleted_at IS NULL filter is applied
    span: Span  # the `select(...)` call
    legacy: bool = False  # `session.query(Model)`: runs itself on `.all()`, `.first()`, ...
    joins: tuple[Symbol, ...] = ()  # table models joined with `.join(Model, ...)`
    covered: frozenset[Symbol] = frozenset()  # models whose own soft-delete column a filter tests
    selected: Expr | None = None  # what `select(...)` was given, as written
    keys: tuple[Expr, ...] = ()  # what the model's primary key is matched against (`Item.id.in_(ids)`)
    conditions: tuple[Call, ...] = ()  # the `.where(...)`, `.filter(...)` and `.filter_by(...)` calls


# SQLAlchemy's name for the first parameter of each session method, and of `delete()`: code may
# pass it by keyword (`session.execute(statement=stmt)`, `delete(table=Item)`).
_FIRST_PARAMETER = {"execute": "statement", "scalars": "statement", "scalar": "statement", "stream": "statement",
                    "stream_scalars": "statement", "delete": "instance", "refresh": "instance", "merge": "instance",
                    "add": "instance", "expunge": "instance", "get": "entity", "delete()": "table"}


def table_owner(expr: Expr | None) -> Expr | None:
    """`Item.__table__`, SQLAlchemy Core's table of a model: `Item`."""
    return expr.value if isinstance(expr, Attribute) and expr.attr == "__table__" else None


def table_delete(call: Call) -> Expr | None:
    """`Item.__table__.delete()`, SQLAlchemy Core's DELETE on a model's table: `Item`."""
    func = call.func
    if isinstance(func, Attribute) and func.attr == "delete" and not call_args(call):
        return table_owner(func.value)
    return None


def first_argument(call: Call, method: str) -> Expr | None:
    """A session call's (or a `delete()` statement's) first argument, given by position or by name."""
    args = call_args(call)
    if args:
        return args[0]
    keyword = _FIRST_PARAMETER.get(method)
    return call_kwargs(call).get(keyword) if keyword is not None else None


@record(frozen=True)
class SessionCall:
    """A session call or `delete(...)` statement that hard deletes and queries are judged by, with what it works on."""

    call: Call
    method: str  # "execute", "get", "delete", ... or "delete()" for a delete statement
    model: Symbol | None  # get: the model; delete: the deleted instance's model; delete(): the table
    statement: Statement | None  # execute/exec/scalars/scalar: the statement run


class SessionCalls:
    """Project.session_calls: each function's session calls, analysed once per run."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._found: dict[tuple[str, str, int], list[SessionCall]] = {}
        # The walk that found a function's session calls, kept when it found some: what else is
        # asked of those functions (`deleted_rows_handled`) continues it instead of starting over.
        self._queries: dict[tuple[str, str, int], FunctionQueries] = {}

    def of(self, facts: ModuleFacts, function: FunctionFact) -> list[SessionCall]:
        key = (facts.module, function.qualname, function.span.line)
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = self._find(facts, function, key)
        return found

    def queries(self, facts: ModuleFacts, function: FunctionFact) -> FunctionQueries:
        """The function's locals, statements and loop variables after its last statement."""
        queries = self._queries.get((facts.module, function.qualname, function.span.line))
        if queries is None:
            queries = FunctionQueries(self.project, facts, function)
        queries.assign_rest()
        return queries

    def _find(self, facts: ModuleFacts, function: FunctionFact, key: tuple[str, str, int]) -> list[SessionCall]:
        project = self.project
        queries = FunctionQueries(project, facts, function)
        found: list[SessionCall] = []
        for call, method, first in queries.session_calls():
            model: Symbol | None = None
            statement: Statement | None = None
            if method == "delete()" or (method == "get" and len(call_args(call)) >= 2
                                        and not _checked_after_get(project, function, call)
                                        and not queries.live_id(first, call_args(call)[1])):
                model = queries.model_of(first)
            elif method == "delete":
                model = queries.deleted_model(first)
            elif method in SINK_METHODS or method.startswith("query."):
                statement = queries.statement(first)
                if method in ("query.get", "query.delete") and statement is not None:
                    model, statement = statement.model, None
            if model is not None or statement is not None:
                found.append(SessionCall(call, method, model, statement))
        if found:
            self._queries[key] = queries
        return found


def _checked_after_get(project: Project, function: FunctionFact, call: Call) -> bool:
    """`item = await session.get(Item, id)` and later `item.deleted_at` is read: checked by hand."""
    column = project.config.soft_delete_column
    names = {e.target.id for e in function.events if isinstance(e.target, Name) and unawait(e.value) is call}
    return bool(names) and any(isinstance(node, Attribute) and node.attr == column and isinstance(node.value, Name)
                               and node.value.id in names
                               for e in function.events for x in (e.value, e.target) for node in walk(x))


def deleted_rows_handled(project: Project, facts: ModuleFacts, function: FunctionFact) -> frozenset[Symbol]:
    """The models whose rows the function handles deleted or not on purpose: it reads a row's
    `deleted_at` (`if row.deleted_at: ...`) or restores one (`row.deleted_at = None`). A function
    that reads the column by its name (`getattr(row, "deleted_at")`, `row["deleted_at"]`, a table
    column shown as `Column("organization.deleted_at", ...)`) handles those of every model."""
    column = project.config.soft_delete_column
    rows: list[str] = []  # the locals whose column is read or reset
    for event in function.events:
        if isinstance(event.target, Attribute) and event.target.attr == column and event.value == Constant(None) \
                and isinstance(event.target.value, Name):
            rows.append(event.target.value.id)
        for node in walk(event.value):
            if isinstance(node, Attribute) and node.attr == column and isinstance(node.value, Name):
                rows.append(node.value.id)
            elif _reads_by_name(node, column):
                return project.soft_delete_models
    if not rows:  # most functions: following their assignments would find nothing to ask about
        return frozenset()
    queries = project.session_calls.queries(facts, function)
    bound = _unpacked_rows(function)
    found = {queries.instance_model(Name(name)) or (queries.element_model(bound[name], 0) if name in bound else None)
             for name in rows}
    return frozenset(model for model in found if model is not None)


def _reads_by_name(node: Expr, column: str) -> bool:
    """`getattr(row, "deleted_at")`, `row["deleted_at"]`, `Column("organization.deleted_at")`: the
    column named as a string where a value is read, not where one is written (`setattr(...)`, a
    dict of new values)."""
    if isinstance(node, Subscript):
        named = [node.slice]
    elif isinstance(node, Call) and dotted(node.func) != "setattr":
        named = call_args(node)
    else:
        return False
    return any(isinstance(value, Constant) and isinstance(value.value, str)
               and (value.value == column or value.value.endswith("." + column)) for value in named)


def _unpacked_rows(function: FunctionFact) -> dict[str, Expr]:
    """Names bound to the rows of an iterable where the events do not say (a comprehension's
    `for row in rows`), or to a row's first entity (`for comment, user in rows` over the rows of
    `select(Comment, User)`), each to what it iterates over."""
    bound: dict[str, Expr] = {}
    loops = [(e.target, e.value) for e in function.events if e.kind == "for"]
    loops += [(g.target, g.iter) for e in function.events for x in (e.value, e.target) for node in walk(x)
              if isinstance(node, Comprehension) for g in node.generators]
    for target, iterated in loops:
        first = target.elts[0] if isinstance(target, Tuple) and target.elts else target
        if isinstance(first, Name) and iterated is not None:
            bound.setdefault(first.id, iterated)
    return bound


def live_parameter(project: Project, module: str, function: FunctionFact, name: str, model: Symbol,
                   depth: int) -> bool:
    """`name` is a parameter of a private function (`_reassign(self, ids)`) and every call of it in
    its module (through `self.`/`cls.` for a method) passes live ids of `model` (`live_key`). A
    public function can be called from anywhere with any ids, and neither is any other use known."""
    if not function.name.startswith("_") or function.name.startswith("__") or function.nested:
        return False
    params = [p for p in function.params if p.kind in ("posonly", "arg", "kwonly")]
    if function.class_name is not None and params and params[0].name in ("self", "cls"):
        params = params[1:]
    position = next((number for number, p in enumerate(params) if p.name == name), None)
    if position is None:
        return False
    facts = project.modules[module]
    sites = 0
    for caller in facts.functions:
        queries: FunctionQueries | None = None
        for event in caller.events:
            for call in calls_in(event.value):
                if not _calls(call.func, function, caller):
                    continue
                arguments = call_args(call)
                given = call_kwargs(call).get(name, arguments[position] if position < len(arguments)
                                              and params[position].kind != "kwonly" else None)
                if given is None or any(isinstance(a, Starred) for a in arguments) or "**" in call_kwargs(call):
                    return False
                queries = queries or project.session_calls.queries(facts, caller)
                if not queries.live_key(model, given, depth):
                    return False
                sites += 1
    # Any other mention (a subclass's call, a callback, a module-level call) passes ids not seen here.
    return sites > 0 and sites == _mentions(facts, function.name)


def _mentions(facts: ModuleFacts, name: str) -> int:
    """How often the module names `name` (`_name`, `self._name`, `other._name`) outside a `def`."""
    events = [*facts.events, *(e for f in facts.functions for e in f.events)]
    return sum(1 for event in events for expr in (event.value, event.target) for node in walk(expr)
               if node == Name(name) or (isinstance(node, Attribute) and node.attr == name))


def _calls(func: Expr, function: FunctionFact, caller: FunctionFact) -> bool:
    """`func` names `function` from `caller`: `self._name` in a method of its class, `_name` for a module function."""
    if function.class_name is None:
        return func == Name(function.name)
    return isinstance(func, Attribute) and func.attr == function.name and caller.class_name == function.class_name \
        and func.value in (Name("self"), Name("cls"))


def bound_models(project: Project, found: TypeRef) -> set[Symbol]:
    """The table models a class binds its generic bases' type variables to (`ItemRepository(
    BaseRepository[Item])` -> {Item})."""
    if found.symbol.kind != "class":
        return set()
    models: set[Symbol] = set()
    for base in project.index.mro(found.symbol):
        for bound in (project.types.bindings_for(found, base) or {}).values():
            if bound.symbol.kind == "class" and is_table_model(project.index, bound.symbol):
                models.add(bound.symbol)
    return models


def generic_users(project: Project, base: Symbol, typevar: Symbol) -> tuple[Symbol, ...]:
    """The table models `base`'s type variable stands for: its subclasses' bindings
    (`ItemRepository(BaseRepository[Item])`) and the models passed to its constructor, or a
    subclass's, at module level (`item = CRUDBase(Item)`)."""
    users = project.generic_users
    return tuple(sorted(users.bound.get((base, typevar.name), set()) | users.constructed.get(base, set()),
                        key=lambda s: s.dotted))


@record
class GenericUsers:
    """Project.generic_users: for every generic project class, the table models its subclasses
    bind its type variables to, and those passed to its (or a subclass's) constructor at module
    level. Built whole: a base's users are found in the modules that extend it."""

    bound: dict[tuple[Symbol, str], set[Symbol]]  # (base, type variable) -> models
    constructed: dict[Symbol, set[Symbol]]  # base -> models passed to a constructor


def find_generic_users(project: Project) -> GenericUsers:
    index, types = project.index, project.types
    users = GenericUsers({}, {})
    generic: dict[Symbol, bool] = {}
    for cls in index.classes():
        for base in index.mro(cls):
            if base.kind != "class" or base == cls:
                continue
            if base not in generic:
                generic[base] = bool(types.type_parameters(base))
            if not generic[base]:
                continue
            for name, bound in (types.bindings_for(TypeRef(cls), base) or {}).items():
                if bound.symbol.kind == "class" and is_table_model(index, bound.symbol):
                    users.bound.setdefault((base, name), set()).add(bound.symbol)
    for facts in project.modules.values():
        for event in facts.events:
            value = event.value
            if event.kind != "assign" or not isinstance(value, Call) or not call_args(value):
                continue
            built = index.resolve_expr(facts.module, value.func)
            if built.kind != "class" or index.class_fact(built) is None:
                continue
            model = index.resolve_expr(facts.module, call_args(value)[0])
            if model.kind == "class" and is_table_model(index, model):
                for base in index.mro(built):
                    users.constructed.setdefault(base, set()).add(model)
    return users


class FunctionQueries:
    """One function's statements and session calls, in statement order."""

    def __init__(self, project: Project, facts: ModuleFacts, function: FunctionFact, nesting: int = 0) -> None:
        self.project = project
        self.nesting = nesting  # helpers followed from the function being checked
        self.index = project.index
        self.module = facts.module
        self.function = function
        self.owner = Symbol("class", self.module, function.class_name) if function.class_name else None
        self.statements: dict[str, Statement] = {}
        self.values: dict[str, Expr] = {}  # the last value assigned to each local name so far
        self.items: dict[str, Expr] = {}  # loop variables -> what they iterate over
        self.assigned = 0  # the function's events followed so far (`assign`), in order

    @cached_property
    def sessions(self) -> FunctionSessions:
        """Built when first asked: most functions make no call a session call could be."""
        return FunctionSessions(self.project, self.module, self.function)

    @cached_property
    def column(self) -> str:
        """Read when a filter is judged, not before: what only asks for sessions reads no option."""
        return self.project.config.soft_delete_column

    # ------------------------------------------------------------------ walking the events

    def session_calls(self) -> Iterator[tuple[Call, str, Expr | None]]:
        """(call, method, first argument) for each session call and each `delete(...)` statement
        (method "delete()") that a hard delete or a query is judged by, with the locals as they
        are at that statement."""
        events = self.function.events
        judged = [[call for expr in (event.value, event.target) for call in calls_in(expr) if _may_be_judged(call)]
                  for event in events]
        if not any(judged):  # most functions: no session is asked who they are
            return
        receivers = self.sessions.may_have_sessions(self.function)
        candidates = [self._candidates(calls, receivers) for calls in judged]
        last = max((number for number, found in enumerate(candidates) if found), default=-1)
        for number in range(last + 1):
            for node, on_session in candidates[number]:
                func = node.func
                if on_session and isinstance(func, Attribute):
                    yield node, func.attr, first_argument(node, func.attr)
                elif (delete_from := first_argument(node, "delete()")) is not None and \
                        dotted_ends_with(func, "delete") and statement_builder(self.index, self.module, func) == "delete":
                    yield node, "delete()", delete_from
                elif (table_of := table_delete(node)) is not None:
                    yield node, "delete()", table_of
                elif receivers and isinstance(func, Attribute) and func.attr in QUERY_TERMINALS:
                    state = self.statement(func.value)
                    if state is not None and state.legacy:
                        yield node, f"query.{func.attr}", func.value
            # Statements only matter where a session can run them, and only before the last call
            # that can be one (following every assignment was most of this analysis).
            if receivers and number < last:
                event = events[number]
                self.assign(event.target, event.value, event.kind)
                self.assigned = number + 1

    def assign_rest(self) -> None:
        """Follow the events `session_calls` left unfollowed, up to the function's end."""
        events = self.function.events
        for event in events[self.assigned:]:
            self.assign(event.target, event.value, event.kind)
        self.assigned = len(events)

    def _candidates(self, calls: list[Call], receivers: bool) -> list[tuple[Call, bool]]:
        """The calls of an event (`_may_be_judged`) that may be session calls or `delete(...)`
        statements, in the order `calls_in` gives them, each with whether its receiver is a session."""
        found: list[tuple[Call, bool]] = []
        for node in calls:
            func = node.func
            on_session = receivers and isinstance(func, Attribute) and self.sessions.is_session(func.value)
            if on_session or (receivers and isinstance(func, Attribute) and func.attr in QUERY_TERMINALS) \
                    or (first_argument(node, "delete()") is not None and dotted_ends_with(func, "delete")) \
                    or table_delete(node) is not None:
                found.append((node, on_session))
        return found

    def assign(self, target: Expr | None, value: Expr | None, kind: str) -> None:
        """Record an assignment event: the value, and the statement it holds if it is one."""
        if kind == "for" and isinstance(target, Name) and value is not None:
            self.values.pop(target.id, None)
            self.items[target.id] = value  # the loop variable is an element of `value`
            return
        if kind not in ("assign", "annassign") or not isinstance(target, Name) or value is None:
            return
        self.items.pop(target.id, None)
        self.values[target.id] = value
        state = self.statement(value)
        if state is None:
            self.statements.pop(target.id, None)
        else:
            self.statements[target.id] = state

    def live_id(self, model: Expr | None, key: Expr) -> bool:
        """`session.get(Item, item_id)` where `item_id` names a live row (`live_key`)."""
        found = self.model_of(model)
        return found is not None and self.live_key(found, key)

    def live_key(self, model: Symbol, key: Expr | None, depth: int = 0) -> bool:
        """`key` holds ids (or one id) of live `model` rows: read in the function by a query whose
        conditions test `model`'s own soft-delete column (`select(Item.id).where(...,
        Item.deleted_at.is_(None))`), returned by a function or method whose every answer is read so
        (a repository's list of ids built on its soft-delete base statement), or a parameter of a
        private function that every call in its module gives such ids."""
        value: Expr | None = key
        for _ in range(8):  # `id = result.scalar_one()` after `result = await session.execute(stmt)`
            value = unawait(value)
            if isinstance(value, Name) and value.id in self.values:
                value = self.values[value.id]
            elif isinstance(value, Call) and isinstance(value.func, Attribute) and call_args(value) \
                    and value.func.attr in SINK_METHODS and self.sessions.is_session(value.func.value):
                state = self.statement(call_args(value)[0])
                return state is not None and model in state.covered
            elif isinstance(value, Call) and isinstance(value.func, Attribute) and value.func.attr in _KEY_STEPS \
                    and not call_args(value):
                value = value.func.value
            elif isinstance(value, Call) and dotted(value.func) in COLLECTION_COPIES and len(call_args(value)) == 1:
                value = call_args(value)[0]  # `list(ids)`
            else:
                break
        if depth >= 2:
            return False
        if isinstance(value, Name):
            return live_parameter(self.project, self.module, self.function, value.id, model, depth + 1)
        return isinstance(value, Call) and self._returns_live_keys(value, model, depth + 1)

    def _returns_live_keys(self, call: Call, model: Symbol, depth: int) -> bool:
        """`await repository.list_live_ids(...)`: every return of the called function holds live ids."""
        target = self._callee(call.func)
        if target is None and isinstance(call.func, Attribute):  # a local's method: its type says whose
            cls = TypeRef(self.owner) if self.owner is not None else None
            receiver = self.project.types.expression(self.module, self.function, call.func.value, cls, call.span.line)
            target = self.index.method(receiver.symbol, call.func.attr) \
                if receiver is not None and receiver.symbol.kind == "class" else None
        if target is None:
            return False
        symbol, function = target
        inner = FunctionQueries(self.project, self.project.modules[symbol.module], function, self.nesting + 1)
        returns = 0
        for event in function.events:
            if event.kind == "return":
                if not inner.live_key(model, event.value, depth):
                    return False
                returns += 1
            inner.assign(event.target, event.value, event.kind)
        return returns > 0

    # ------------------------------------------------------------------ statements

    def statement(self, expr: Expr | None, depth: int = 0) -> Statement | None:
        expr = unawait(expr)
        if expr is None or depth > 20:
            return None
        if isinstance(expr, Name):
            return self.statements.get(expr.id)
        if not isinstance(expr, Call):
            return None
        func = expr.func
        if dotted_ends_with(func, "select") and statement_builder(self.index, self.module, func) == "select":
            args = call_args(expr)
            return Statement(self.model_of(args[0]) if args else None, False, expr.span,
                             selected=args[0] if args else None)
        if isinstance(func, Attribute) and func.attr == "query" and self.sessions.is_session(func.value):
            args = call_args(expr)
            return Statement(self.model_of(args[0]) if args else None, False, expr.span, legacy=True)
        if isinstance(func, Attribute):
            inner = self.statement(func.value, depth + 1)
            if inner is not None:
                filtering = False
                if func.attr in FILTER_METHODS or func.attr in JOIN_METHODS:
                    judged = func.attr in FILTER_METHODS and not inner.filtered
                    mentioned, filtering = self.conditions(expr, func.attr == "filter_by", judged)
                    inner = replace(inner, covered=inner.covered | mentioned)
                if func.attr in FILTER_METHODS and inner.model is not None:
                    inner = replace(inner, keys=inner.keys + self.keys(expr, inner.model))
                if func.attr in CONDITION_METHODS:
                    inner = replace(inner, conditions=(*inner.conditions, expr))
                outer = any(call_kwargs(expr).get(k) == Constant(True) for k in ("isouter", "full"))
                if func.attr in JOIN_METHODS and call_args(expr) and not outer:
                    joined = self.model_of(call_args(expr)[-1 if func.attr == "join_from" else 0])
                    inner = replace(inner, joins=(*inner.joins, joined)) if joined is not None else inner
                if func.attr in FILTER_METHODS and not inner.filtered:
                    return replace(inner, filtered=filtering)
                return inner
        if self.is_filter_helper_call(func):
            states = [self.statement(a, depth + 1) for a in call_args(expr)]
            given = next((s for s in states if s is not None), None)
            # `self.get_base_statement()` in `ItemRepository(SoftDeleteRepository[Item])`: the helper filters `Item`
            covered = bound_models(self.project, TypeRef(self.owner)) if self.owner is not None and \
                isinstance(func, Attribute) and func.value == Name("self") else set()
            return Statement(given.model if given else None, True, given.span if given else expr.span,
                             covered=frozenset(covered | (given.covered if given else set())))
        return self._through_helper(expr)

    def _through_helper(self, call: Call) -> Statement | None:
        """`self.newest_first(stmt)`, `paginate(stmt)`: follow the statement through the helper's body."""
        target = self._callee(call.func) if self.nesting < 2 else None
        if target is None:
            return None
        symbol, function = target
        params = [p.name for p in function.params if p.kind in ("posonly", "arg")]
        if params and params[0] in ("self", "cls") and isinstance(call.func, Attribute):
            params = params[1:]
        bound = {name: state for name, arg in [*zip(params, call_args(call)), *call_kwargs(call).items()]
                 if (state := self.statement(arg)) is not None}
        if not bound:
            return None
        inner = FunctionQueries(self.project, self.project.modules[symbol.module], function, self.nesting + 1)
        inner.statements.update(bound)
        results: list[Statement | None] = []
        for event in function.events:
            if event.kind == "return":
                results.append(inner.statement(event.value))
            inner.assign(event.target, event.value, event.kind)
        spans = [state.span for state in bound.values()]
        returned = [r for r in results if r is not None and r.span in spans]
        if not returned or len(returned) != len(results):
            return None  # the helper returns something else than the statement it was given
        return replace(returned[0], filtered=all(r.filtered for r in returned))

    def _callee(self, func: Expr) -> tuple[Symbol, FunctionFact] | None:
        if isinstance(func, Attribute) and func.value == Name("self") and self.owner is not None:
            return self.index.method(self.owner, func.attr)
        if not isinstance(func, (Name, Attribute)):
            return None
        symbol = self.index.resolve_expr(self.module, func)
        function = self.index.function_fact(symbol)
        return (symbol, function) if function is not None else None

    def model_of(self, expr: Expr | None) -> Symbol | None:
        """`Item` -> the table model `Item` (column selects such as `select(Item.id)` are not followed);
        `self.model` in a generic base (`model: type[ModelT]`) -> the type variable `ModelT`;
        `Item.__table__` -> `Item`."""
        expr = table_owner(expr) or expr
        if not isinstance(expr, (Name, Attribute)):
            return None
        model = table_model_named(self.index, self.module, expr)
        if model is not None:
            return model
        if isinstance(expr, Attribute) and isinstance(expr.value, Name) and expr.value.id in ("self", "cls") \
                and self.owner is not None:
            return self._generic_attribute(expr.attr)
        return None

    def _generic_attribute(self, name: str) -> Symbol | None:
        """The type variable `ModelT` when the class says `name` holds `type[ModelT]`: a class-level
        annotation, or `self.name = model` in `__init__` with `model: type[ModelT]`; or the class
        an annotated `self` names says so (a mixin's `self: RepositoryProtocol[ModelT]`)."""
        assert self.owner is not None
        for owner in [*self.index.mro(self.owner), *self._self_annotation_mro()]:
            fact = self.index.class_fact(owner)
            annotations = [f.annotation for f in fact.fields if f.name == name] if fact else []
            init = self.index.function_fact(Symbol("function", owner.module, f"{owner.name}.__init__"))
            params = {p.name: p.annotation for p in init.params} if init else {}
            for event in init.events if init else []:
                if event.target == Attribute(Name("self"), name) and isinstance(event.value, Name):
                    annotations += [event.annotation, params.get(event.value.id)]
            for annotation in annotations:
                if isinstance(annotation, Subscript) and \
                        self.index.resolve_expr(owner.module, annotation.value).dotted in _TYPE_OF:
                    found = generic_model(self.project, owner.module, annotation.slice)
                    if found is not None:
                        return found
        return None

    def _self_annotation_mro(self) -> list[Symbol]:
        """The classes an annotated `self` parameter names, its bases first (`self:
        ExpiresAtRepositoryProtocol[M]` in a mixin that declares no attribute of its own)."""
        params = self.function.params
        if not params or params[0].name != "self" or params[0].annotation is None:
            return []
        annotation = params[0].annotation
        named = annotation.value if isinstance(annotation, Subscript) else annotation
        symbol = self.index.resolve_expr(self.module, named)
        return list(self.index.mro(symbol)) if symbol.kind == "class" else []

    # ------------------------------------------------------------------ instances

    def deleted_model(self, expr: Expr | None) -> Symbol | None:
        """The model of the rows `session.delete(expr)` deletes: `instance_model`'s, or a row's own
        class for `session.delete(self)` in a method of a table model or of the declarative base
        (an active-record base: `Base.delete(self, session)` deletes every model's rows). Decided
        by the class's own bases, so a module's findings still depend on its imports alone."""
        if expr == Name("self") and self.owner is not None and self.function.params \
                and self.function.params[0].name == "self":
            owner = self.owner
            return owner if is_table_model(self.index, owner) or is_declarative_class(self.index, owner) else None
        return self.instance_model(expr) or self._abstract_parameter(expr)

    def _abstract_parameter(self, expr: Expr | None) -> Symbol | None:
        """A parameter annotated with an abstract base of table models (`secret: BaseSecret`, with
        `__abstract__ = True`): an instance of any of them."""
        if not isinstance(expr, Name) or expr.id in self.values or expr.id in self.items:
            return None
        param = next((p for p in self.function.params if p.name == expr.id), None)
        inner = unwrap_annotation(self.index, self.module, param.annotation)[0] if param is not None else None
        symbol = self.index.resolve_expr(self.module, inner) if inner is not None else None
        return symbol if symbol is not None and is_declarative_class(self.index, symbol) else None

    def instance_model(self, expr: Expr | None, depth: int = 0) -> Symbol | None:
        """The table model an object is an instance of: a local, a parameter, `M(...)`, a getter."""
        expr = unawait(expr)
        if expr is None or depth > 10:
            return None
        if isinstance(expr, Name):
            if expr.id in self.values:
                return self.instance_model(self.values[expr.id], depth + 1)
            if expr.id in self.items:
                return self.element_model(self.items[expr.id], depth + 1)
            param = next((p for p in self.function.params if p.name == expr.id), None)
            return returned_model(self.project, self.module, param.annotation) if param else None
        if isinstance(expr, Attribute):
            return self.related_model(expr, False, depth + 1)
        if not isinstance(expr, Call):
            return None
        func = expr.func
        constructed = self.model_of(func) if isinstance(func, (Name, Attribute)) else None
        if constructed is not None and self.index.resolve_expr(self.module, func).kind == "class":
            return constructed
        if isinstance(func, Attribute) and func.attr == "get" and self.sessions.is_session(func.value):
            return self.model_of(first_argument(expr, "get"))
        if isinstance(func, Attribute) and func.attr == "scalar" and self.sessions.is_session(func.value):
            state = self.statement(first_argument(expr, "scalar"))  # `session.scalar(select(Item))`
            return state.model if state is not None else None
        if isinstance(func, Attribute) and func.attr in RESULT_METHODS:
            return self.result_model(func.value, depth + 1)
        found = self._callee(func)  # a getter of the class or of the project: `-> Item | None`
        if found is not None:
            return returned_model(self.project, found[0].module, found[1].returns)
        return self._typed_model(expr, element=False)  # another object's getter: `repository.find(...)`

    def element_model(self, expr: Expr | None, depth: int) -> Symbol | None:
        """What `for x in expr` yields: rows of a select's result, or a method's `list[Item]`."""
        expr = unawait(expr)
        if expr is None or depth > 10:
            return None
        if isinstance(expr, Name) and expr.id in self.values:
            return self.element_model(self.values[expr.id], depth + 1)
        if isinstance(expr, Attribute):
            return self.related_model(expr, True, depth + 1)
        if isinstance(expr, Call) and len(call_args(expr)) == 1 and \
                self.index.resolve_expr(self.module, expr.func).dotted in ROW_COPIES:
            return self.element_model(call_args(expr)[0], depth + 1)  # `list(result.scalars().all())`
        if not isinstance(expr, Call) or not isinstance(expr.func, Attribute):
            return None
        func = expr.func
        if func.value == Name("self") and self.owner is not None:
            found = self.index.method(self.owner, func.attr)
            returns = found[1].returns if found else None
            if found is not None and isinstance(returns, Subscript) and not isinstance(returns.slice, Tuple):
                return returned_model(self.project, found[0].module, returns.slice)
            return None
        model = self.result_model(func.value if func.attr in ("all", "fetchall") else expr, depth + 1)
        return model if model is not None else self._typed_model(expr, element=True)

    def _typed_model(self, call: Call, element: bool) -> Symbol | None:
        """The table model another object's method returns (`-> Item | None`), or with `element`
        the one in the collection it returns (`-> list[Item] | None`), by the receiver's type
        (`self.items.find(...)`, `repository.list_for_user(...)`)."""
        if not isinstance(call.func, Attribute):
            return None
        cls = TypeRef(self.owner) if self.owner is not None else None
        found = self.project.types.expression(self.module, self.function, call, cls, call.span.line)
        for kind in alternatives(found) if found is not None else ():
            model = _table_model(self.index, _element(kind) if element else kind)
            if model is not None:
                return model
        return None

    def related_model(self, expr: Attribute, many: bool, depth: int) -> Symbol | None:
        """`order.invoice` (`many`: `parent.children`, iterated): the table model a relationship of
        the object's model leads to, by the attribute's annotation (`Mapped["Invoice"]`,
        `Mapped[list["Child"]]`, SQLModel's `list["Child"]`, a `@declared_attr` returning one)."""
        owner = self.instance_model(expr.value, depth + 1)
        if owner is None or owner.kind != "class":
            return None  # unknown, or a generic base's type variable
        return relationship_model(self.project, owner, expr.attr, many)

    def result_model(self, expr: Expr | None, depth: int) -> Symbol | None:
        """The model selected by the statement whose result `expr` is."""
        expr = unawait(expr)
        if expr is None or depth > 10:
            return None
        if isinstance(expr, Name) and expr.id in self.values:
            return self.result_model(self.values[expr.id], depth + 1)
        if isinstance(expr, Call) and isinstance(expr.func, Attribute):
            method = expr.func.attr
            if method in SINK_METHODS and self.sessions.is_session(expr.func.value):
                state = self.statement(first_argument(expr, method))
                return state.model if state else None
            if method in ("scalars", "unique", "tuples"):
                return self.result_model(expr.func.value, depth + 1)
        state = self.statement(expr)  # `session.query(Item).filter(...)`, run by `.first()`
        return state.model if state is not None and state.legacy else None

    # ------------------------------------------------------------------ filters

    def conditions(self, call: Call, by_keyword: bool, judged: bool) -> tuple[frozenset[Symbol], bool]:
        """The models whose own soft-delete column the call's conditions mention (`B.deleted_at.is_(None)`,
        or a purge's `B.deleted_at < cutoff`); and, when `judged`, whether the conditions filter
        deleted rows out (a mention, a filter helper's call, a local holding a filter). One
        walk answers both: a `.where(...)` of every statement is asked both."""
        found: set[Symbol] = set()
        filtering = False
        if judged and by_keyword:
            value = call_kwargs(call).get(self.column)
            filtering = isinstance(value, Constant) and value.value is None
        names: set[str] = set()
        for argument in [*call_args(call), *call_kwargs(call).values()]:
            for node in walk(argument, into_lambdas=True):
                if mentions_soft_delete(self.project, self.module, node):  # `B.deleted_at`, `~B.is_deleted`
                    filtering = True
                    found |= {model for part in walk(node) if isinstance(part, Attribute)
                              and (model := self.model_of(part.value)) is not None}
                elif not judged or filtering:
                    continue
                elif isinstance(node, Name):
                    names.add(node.id)
                elif isinstance(node, Call) and self.is_filter_helper_call(node.func):
                    filtering = True
        filtering = judged and (filtering or (bool(names) and not names.isdisjoint(self.filter_names)))
        return frozenset(found), filtering

    def keys(self, call: Call, model: Symbol) -> tuple[Expr, ...]:
        """What the call's conditions match `model`'s primary key against: `Item.id.in_(ids)`,
        `Item.id == item_id`, `filter_by(id=item_id)`."""
        fields = self.project.model_fields.of(model)
        names = {name for name, found in fields.items() if found.primary_key} or {"id"}
        found = [value for name, value in call_kwargs(call).items() if name in names]
        for argument in call_args(call):
            for node in walk(argument):
                match node:
                    case Call(Attribute(Attribute(owner, attr), "in_"), [value]) if attr in names:
                        pass
                    case Compare(Attribute(owner, attr), ["=="], [value]) if attr in names:
                        pass
                    case _:
                        continue
                if self.model_of(owner) == model:
                    found.append(value)
        return tuple(found)

    def is_filter_helper_call(self, func: Expr) -> bool:
        if isinstance(func, Attribute) and func.value == Name("self") and self.owner is not None:
            return is_filter_helper(self.project, self.owner, func.attr)
        if isinstance(func, (Name, Attribute)):
            symbol = self.index.resolve_expr(self.module, func)
            if symbol.kind == "function":
                return function_filters(self.project, symbol)
        return False

    @cached_property
    def filter_names(self) -> set[str]:
        """Local names holding a filter: `conditions = [Item.deleted_at.is_(None)]`, `.append(...)`."""
        names: set[str] = set()
        for event in self.function.events:
            target, value = event.target, event.value
            if event.kind in ("assign", "annassign", "augassign") and isinstance(target, Name):
                holder = target.id
            elif event.kind == "expr" and isinstance(value, Call) and isinstance(value.func, Attribute) \
                    and isinstance(value.func.value, Name) and value.func.attr in ("append", "extend", "insert"):
                holder = value.func.value.id
            else:
                continue
            if any(mentions_soft_delete(self.project, self.module, n) for n in walk(value, into_lambdas=True)):
                names.add(holder)
        return names


def relationship_model(project: Project, owner: Symbol, attr: str, many: bool) -> Symbol | None:
    """The table model the relationship `attr` of the model `owner` leads to (`many`: the element of
    a collection relationship), by the attribute's annotation; None when `attr` is no relationship."""
    found = project.types.attribute(TypeRef(owner), attr)
    present = alternatives(found) if found is not None else ()  # `Optional["Invoice"]`: the one not None
    found = present[0] if len(present) == 1 else None
    return _table_model(project.index, _element(found) if many else found)


def _element(found: TypeRef | None) -> TypeRef | None:
    """What iterating a collection of type `found` gives (`list[Item]` -> `Item`), if it is one."""
    return found.args[0] if found is not None and found.symbol.dotted in _COLLECTIONS and len(found.args) == 1 else None


def _table_model(index: SymbolIndex, found: TypeRef | None) -> Symbol | None:
    return found.symbol if found is not None and found.symbol.kind == "class" and is_table_model(
        index, found.symbol) else None


def find_soft_delete_models(project: Project) -> frozenset[Symbol]:
    """Project.soft_delete_models: the table models with the soft-delete column."""
    column = project.config.soft_delete_column
    return frozenset(m for m in project.table_models if column in class_fields(project.index, m))


def annotated_model(project: Project, module: str, annotation: Expr | None) -> Symbol | None:
    """`Item`, `Optional[Item]`, `Item | None` -> the table model `Item`."""
    inner, _ = unwrap_annotation(project.index, module, annotation)
    return table_model_named(project.index, module, inner) if inner is not None else None


def generic_model(project: Project, module: str, annotation: Expr | None) -> Symbol | None:
    """`ModelT`, `Optional[ModelT]` -> the type variable, when it is one (a generic base's model)."""
    inner, _ = unwrap_annotation(project.index, module, annotation)
    symbol = project.index.resolve_expr(module, inner) if inner is not None else None
    return symbol if symbol is not None and is_typevar(project.index, symbol) else None


def returned_model(project: Project, module: str, annotation: Expr | None) -> Symbol | None:
    """The table model an annotation names, or the type variable a generic base names it by."""
    return annotated_model(project, module, annotation) or generic_model(project, module, annotation)


def find_global_filters(project: Project) -> list[str]:
    """Project.global_filters: modules whose session event listeners (`@event.listens_for`,
    `event.listen(...)`) call `with_loader_criteria`: a filter applied to every query."""
    found: list[str] = []
    for facts in sorted(project.modules.values(), key=lambda f: f.path):
        listens = any(_named(e.value, ".listen") for e in facts.events)
        functions = [f for f in facts.functions
                     if listens or any(_named(d, "listens_for") for d in f.decorators)]
        if any(isinstance(node, Call) and _named(node, "with_loader_criteria") and project.index.resolve_expr(
                facts.module, node.func).dotted.endswith("with_loader_criteria")
               for f in functions for e in f.events for node in walk(e.value, into_lambdas=True)):
            found.append(facts.module)
    return found


def _may_be_judged(call: Call) -> bool:
    """Whether the call can be one `SessionCalls` judges, before asking what its receiver is:
    `session.get/delete/execute/...`, a legacy query's `.all()`, `.first()`..., or `delete(...)`."""
    func = call.func
    return (type(func) is Attribute and func.attr in _JUDGED_METHODS) or dotted_ends_with(func, "delete")


def _named(expr: Expr | None, suffix: str) -> bool:
    """A call whose function's written name ends with `suffix`."""
    return isinstance(expr, Call) and (dotted(expr.func) or "").endswith(suffix)
