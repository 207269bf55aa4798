"""Session identity: the one place that decides what is a database session and what is database work.

Every rule and analysis asks here, so that one rule never sees a session where another does not:

- a session class, by what a name resolves to (`SESSION_CLASSES`, `is_session_type` for a type
  the resolver inferred, `is_sync_session_type` for a synchronous one);
- a parameter holding a session (`session_parameters`): by annotation (also inside `Annotated`
  and through module-level aliases in any module) or by name (`SESSION_NAMES`);
- a local holding a session (`local_sessions`): a `with`/assignment target named like one;
- a receiver that is a session (`is_session_receiver`): one of those names, or `self.<name>`;
- an attribute of a class that holds a session (`is_session_attribute`): by name or by type;
- the read/write session dependencies (`dependency_kind`), named in the configuration;
- a call that opens a session (`opens_session`): a session class, a sessionmaker, a configured
  factory; a function that hands out a session by its return annotation (`returns_session`);
- database work (`database_work`): `select/insert/update/delete` statements (`statement_builder`)
  and session methods (`DATABASE_METHODS`, `QUERY_METHODS`).

A new session convention is one change here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from layerlint.project.index.annotated import annotated_parts
from layerlint.project.index.symbols import Symbol, SymbolIndex
from layerlint.project.index.types import UNION, TypeRef
from layerlint.project.reading.expr import (
    Attribute,
    Expr,
    Name,
    Subscript,
    calls_in,
    dotted,
    is_call,
    render,
    walk,
)
from layerlint.project.reading.facts import FunctionFact, ModuleFacts, Span

SYNC_SESSION_CLASSES = frozenset({
    "sqlalchemy.orm.Session", "sqlalchemy.orm.session.Session", "sqlmodel.Session", "sqlmodel.orm.session.Session",
})
SESSION_CLASSES = SYNC_SESSION_CLASSES | frozenset({
    "sqlalchemy.ext.asyncio.AsyncSession", "sqlalchemy.ext.asyncio.session.AsyncSession",
    "sqlmodel.ext.asyncio.session.AsyncSession",
})
SESSIONMAKERS = frozenset({"sqlalchemy.orm.sessionmaker", "sqlalchemy.ext.asyncio.async_sessionmaker",
                           "sqlalchemy.orm.session.sessionmaker"})
STATEMENT_BUILDERS = frozenset({"select", "insert", "update", "delete"})
STATEMENT_MODULES = ("sqlalchemy", "sqlmodel")
SESSION_NAMES = frozenset({"session", "db", "db_session", "async_session", "_session", "_db"})
DATABASE_METHODS = frozenset({"execute", "exec", "scalars", "scalar", "get", "add", "add_all", "delete",
                              "merge", "commit", "flush", "refresh"})
# Reading or running SQL. `add`/`delete`/`merge` stage objects in the unit of work, which
# services that coordinate repositories commonly do; hard deletes are judged on their own.
QUERY_METHODS = frozenset({"execute", "exec", "scalars", "scalar", "get", "stream", "stream_scalars",
                           "get_one"})


# ---------------------------------------------------------------------------------- statements


def statement_builder(index: SymbolIndex, module: str, func: Expr) -> str | None:
    """`select`/`insert`/`update`/`delete` when `func` resolves to SQLAlchemy's or SQLModel's."""
    symbol = index.resolve_expr(module, func)
    name = symbol.dotted.rsplit(".", 1)[-1]
    if symbol.kind == "external" and name in STATEMENT_BUILDERS and symbol.dotted.startswith(STATEMENT_MODULES):
        return name
    return None


# ---------------------------------------------------------------------------------- session values


def session_parameters(index: SymbolIndex, module: str, function: FunctionFact) -> set[str]:
    """Parameters that hold a session: by annotation (also inside Annotated), or by name."""
    result: set[str] = set()
    for param in function.params:
        if param.name in SESSION_NAMES or is_session_annotation(index, module, param.annotation):
            result.add(param.name)
    return result


def is_session_annotation(index: SymbolIndex, module: str, annotation: Expr | None) -> bool:
    """`AsyncSession`, `Annotated[AsyncSession, Depends(...)]`, or an alias of one (in any module)."""
    if annotation is None:
        return False
    if isinstance(annotation, Subscript):  # Annotated[AsyncSession, Depends(...)]
        parts = annotated_parts(index, module, annotation)
        return parts is not None and is_session_annotation(index, module, parts[0])
    symbol = index.resolve_expr(module, annotation)
    if symbol.dotted in SESSION_CLASSES:
        return True
    if symbol.kind == "assign":  # a module-level alias such as ReadSession = Annotated[...]
        event = index.assignment(symbol)
        return event is not None and is_session_annotation(index, symbol.module, event.value)
    return False


def local_sessions(function: FunctionFact) -> set[str]:
    """`async with async_session() as session:` or `db = SessionLocal()`: locals named like sessions."""
    return {e.target.id for e in function.events if e.kind in ("with", "assign") and isinstance(e.target, Name)
            and e.target.id in SESSION_NAMES}


def is_session_receiver(receiver: Expr, session_names: set[str]) -> bool:
    """`session`, a session parameter, or `self.session`/`self._session`/`self.db`."""
    name = dotted(receiver)
    if name is None:
        return False
    if "." not in name:
        return name in session_names
    owner, _, attribute = name.rpartition(".")
    return owner == "self" and attribute in SESSION_NAMES


def is_session_type(found: TypeRef | None) -> bool:
    """A session, or a union of one with None; not a container or factory of sessions."""
    if found is None:
        return False
    return any(t.symbol.dotted in SESSION_CLASSES for t in (found.args if found.symbol == UNION else (found,)))


def is_sync_session_type(found: TypeRef | None) -> bool:
    """A synchronous `Session` (its queries block; they are not awaited)."""
    return found is not None and found.symbol.dotted in SYNC_SESSION_CLASSES


def is_session_attribute(name: str, found: TypeRef | None) -> bool:
    """`self.<name>` holds a session: by its name, or by `found`, the type the resolver gave it."""
    return name in SESSION_NAMES or is_session_type(found)


# ---------------------------------------------------------------------------------- dependencies, factories


def dependency_kind(symbol: Symbol, read: frozenset[str], write: frozenset[str]) -> str | None:
    """"read" or "write" when `symbol` is one of the configured session dependencies (by its
    dotted path or its last name), else None."""
    for kind, names in (("read", read), ("write", write)):
        if symbol.dotted in names or symbol.dotted.rsplit(".", 1)[-1] in names:
            return kind
    return None


def returns_session(index: SymbolIndex, module: str, function: FunctionFact) -> bool:
    """The function's return annotation names a session class (`-> AsyncIterator[AsyncSession]`)."""
    return any(index.resolve_expr(module, node).dotted in SESSION_CLASSES
               for node in walk(function.returns) if isinstance(node, (Name, Attribute)))


def _builds_sessionmaker(index: SymbolIndex, symbol: Symbol) -> bool:
    """`async_session = async_sessionmaker(engine, ...)`, also through a project function that
    returns one (`make_session_factory(engine)`, annotated or by its return statements)."""
    event = index.assignment(symbol)
    if event is None or not is_call(event.value):
        return False
    maker = index.resolve_expr(symbol.module, event.value.func)
    if maker.dotted in SESSIONMAKERS:
        return True
    factory = index.function_fact(maker)
    if factory is None:
        return False
    returns = factory.returns.value if isinstance(factory.returns, Subscript) else factory.returns
    made = [returns, *(e.value.func for e in factory.events if e.kind == "return" and is_call(e.value))]
    return any(index.resolve_expr(maker.module, expr).dotted in SESSIONMAKERS for expr in made if expr)


def opens_session(index: SymbolIndex, module: str, func: Expr, factories: frozenset[str]) -> str | None:
    """The called name when calling `func` makes a database session (a session class, a
    sessionmaker or what one built, a configured factory, `factory.begin`), else None."""
    if isinstance(func, Attribute) and func.attr == "begin":  # async with async_session.begin() as session
        made = opens_session(index, module, func.value, factories)
        return f"{made}.begin" if made else None
    symbol = index.resolve_expr(module, func)
    name = dotted(func) or ""
    if symbol.dotted in SESSION_CLASSES or symbol.dotted in SESSIONMAKERS:
        return name
    if symbol.kind == "class":  # a project class makes a session only if it is one
        return name if index.inherits_from(symbol, SESSION_CLASSES) else None
    if symbol.kind == "assign" and _builds_sessionmaker(index, symbol):
        return name
    if symbol.kind in ("assign", "function", "external") and symbol.dotted.rsplit(".", 1)[-1] in factories:
        return None if symbol.dotted.startswith("builtins.") else name
    return None


# ---------------------------------------------------------------------------------- database work


@dataclass(frozen=True)
class DatabaseWork:
    span: Span
    what: str  # readable: "a `select(...)` statement" or "`session.execute(...)`"


def database_work(index: SymbolIndex, facts: ModuleFacts, function: FunctionFact,
                  methods: frozenset[str]) -> Iterator[DatabaseWork]:
    """The first piece of database work in each statement (a statement built, or one of `methods`
    called on a session): one per statement."""
    sessions = session_parameters(index, facts.module, function)
    for event in function.events:
        work = _first_work(index, facts.module, (event.value, event.target), sessions, methods)
        if work is not None:
            yield work


def _first_work(index: SymbolIndex, module: str, exprs: tuple[Expr | None, ...], sessions: set[str],
                methods: frozenset[str]) -> DatabaseWork | None:
    for expr in exprs:
        for call in calls_in(expr):
            func = call.func
            builder = statement_builder(index, module, func)
            if builder is not None:
                return DatabaseWork(call.span, f"a `{builder}(...)` statement")
            if isinstance(func, Attribute) and func.attr in methods and is_session_receiver(func.value, sessions):
                return DatabaseWork(call.span, f"`{dotted(func) or render(func)}(...)`")
    return None
