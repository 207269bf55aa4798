"""Session identity: the one place that decides what is a database session and what is database work.

Every rule and analysis asks here, so that one rule never sees a session where another does not:

- a session class, by what a name resolves to (`SESSION_CLASSES`); a session by type and by
  annotation is decided one layer down, in `index/session_types.py` (`is_session_type`,
  `is_session_annotation`), where the roles ask it too;
- a parameter holding a session (`session_parameters`): by annotation (also `Optional`, inside
  `Annotated` and through module-level aliases in any module) or by name (`SESSION_NAMES`);
- a local holding a session (`local_sessions`): a `with`/assignment target named like one, or
  opened from a session factory or from a function that hands one out (`get_session_context()`,
  `asynccontextmanager(get_session)()`);
- a receiver that is a session (`is_session_receiver`): one of those names, or an attribute named
  like one on any object (`self.db`, `service.session`, `request.state.db`), except
  `request.session` (Starlette's session dict);
- `FunctionSessions`: all of the above for one function, plus an attribute that its class types
  as a session, on `self` or on a parameter (`self.database`, `uow.connection` with
  `uow: UnitOfWork`): what rules and analyses ask of a function's expressions;
- an attribute of a class that holds a session (`is_session_attribute`): by name or by type;
- the read/write session dependencies (`dependency_kind`), named in the configuration;
- a call that opens a session (`opens_session`): a session class, a sessionmaker, a configured
  factory; a function that hands out a session by its return annotation (`returns_session`);
  `opens_own_session` adds what only the calling function shows (a sessionmaker kept in a
  local, a session-handing function defined inside it);
- database work (`database_work`): `select/insert/update/delete` statements (`statement_builder`)
  and session methods (`DATABASE_METHODS`, `QUERY_METHODS`); the libraries that talk to a
  database (`database_library`), as opposed to other libraries' calls (an HTTP client, Stripe).

A new session convention is one change here.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from typing import TYPE_CHECKING

from layerlint.core.records import record
from layerlint.project.index.libraries import SESSION_CLASSES
from layerlint.project.index.session_types import hands_out_session_type, is_session_annotation, is_session_type
from layerlint.project.index.symbols import UNKNOWN, Symbol, SymbolIndex
from layerlint.project.index.types import TypeRef, alternatives, handed_out, last_assignment, last_binding
from layerlint.project.orm.repositories import is_repository_class
from layerlint.project.reading.expr import Await, Call, Yield

if TYPE_CHECKING:  # the model asks this module; the module needs only its type
    from layerlint.project.project import Project
from layerlint.project.reading.expr import (
    Attribute,
    Expr,
    Name,
    Subscript,
    call_arguments,
    call_kwargs,
    calls_in,
    dotted,
    is_call,
    render,
    self_attribute,
    walk,
)
from layerlint.project.reading.facts import Event, FunctionFact, ModuleFacts, Span

SESSIONMAKERS = frozenset({"sqlalchemy.orm.sessionmaker", "sqlalchemy.ext.asyncio.async_sessionmaker",
                           "sqlalchemy.orm.session.sessionmaker"})
STATEMENT_BUILDERS = frozenset({"select", "insert", "update", "delete"})
STATEMENT_MODULES = ("sqlalchemy", "sqlmodel")
SESSION_NAMES = frozenset({"session", "db", "db_session", "async_session", "_session", "_db"})
# `query` is SQLAlchemy 1.x's Query API (`db_session.query(Item).filter(...).all()`).
# Session methods that only keep an object for the next flush: no query, nothing read back.
KEEPS_OBJECT = frozenset({"add", "add_all", "merge"})
DATABASE_METHODS = frozenset({"execute", "exec", "scalars", "scalar", "get", "add", "add_all", "delete",
                              "merge", "commit", "flush", "refresh", "query"})
# Reading or running SQL. `add`/`delete`/`merge` stage objects in the unit of work, which
# services that coordinate repositories commonly do; hard deletes are judged on their own.
QUERY_METHODS = frozenset({"execute", "exec", "scalars", "scalar", "get", "stream", "stream_scalars",
                           "get_one", "query"})
# Libraries that talk to a database (drivers, ORMs, their CRUD and paging helpers): a call into
# one may query; a call into another library (`stripe`, `httpx`, `redis`) does not.
DATABASE_LIBRARIES = frozenset({
    "sqlalchemy", "sqlmodel", "asyncpg", "databases", "tortoise", "psycopg", "psycopg2", "aiosql", "aiomysql",
    "aiosqlite", "aiopg", "pymysql", "sqlite3", "motor", "pymongo", "beanie", "odmantic", "piccolo", "ormar",
    "peewee", "pony", "edgedb", "gino", "fastcrud", "sqlalchemy_crud_plus", "advanced_alchemy",
    "fastapi_pagination", "fastapi_crudrouter", "sqlakeyset",
})
# `request.session` is Starlette's cookie session (a dict), not a database session.
REQUEST_CLASSES = frozenset({"fastapi.Request", "fastapi.requests.Request", "starlette.requests.Request",
                             "starlette.requests.HTTPConnection", "fastapi.WebSocket",
                             "starlette.websockets.WebSocket"})
CONTEXT_MANAGER_WRAPPERS = frozenset({"contextlib.asynccontextmanager", "contextlib.contextmanager"})


# ---------------------------------------------------------------------------------- statements


def statement_builder(index: SymbolIndex, module: str, func: Expr) -> str | None:
    """`select`/`insert`/`update`/`delete` when `func` resolves to SQLAlchemy's or SQLModel's."""
    symbol = index.resolve_expr(module, func)
    name = symbol.dotted.rsplit(".", 1)[-1]
    if symbol.kind == "external" and name in STATEMENT_BUILDERS and symbol.dotted.startswith(STATEMENT_MODULES):
        return name
    return None


def database_library(name: str) -> bool:
    """`name` (a dotted external name) belongs to a library that talks to a database."""
    return name.split(".", 1)[0] in DATABASE_LIBRARIES


# ---------------------------------------------------------------------------------- session values


def session_parameters(index: SymbolIndex, module: str, function: FunctionFact) -> set[str]:
    """Parameters that hold a session: by annotation (also inside Annotated), or by name unless
    annotated with another library's class (`session: aiohttp.ClientSession`)."""
    result: set[str] = set()
    for param in function.params:
        if is_session_annotation(index, module, param.annotation) or (
                param.name in SESSION_NAMES and not _other_library_annotation(index, module, param.annotation)):
            result.add(param.name)
    return result


def other_library(symbol: Symbol) -> bool:
    """`symbol` comes from a library that does not talk to a database (`aiohttp.ClientSession`,
    `requests.Session`, `boto3.Session`): what it makes is no database session, whatever the
    variable holding it is called."""
    return symbol.kind == "external" and not symbol.dotted.startswith(_NO_LIBRARY) and not database_library(
        symbol.dotted)


# What says nothing of the object (`session: Any`, a context manager of unknown kind), unlike
# another library's class.
_NO_LIBRARY = ("builtins.", "typing.", "typing_extensions.", "collections.abc.", "types.", "contextlib.")


def makes_other_library_object(index: SymbolIndex, module: str, value: Expr | None) -> bool:
    """`value` makes another library's object: constructs one (`aiohttp.ClientSession(...)`) or
    calls a project function annotated to return one (`await get_http_session()`). Another
    library's name counts as a class by its spelling (capitalised): a function of an unresolved
    package (`get_session()`) may well hand out a database session."""
    value = value.value if isinstance(value, Await) else value
    if not isinstance(value, Call):
        return False
    func = _wrapped_in_context_manager(index, module, value.func) or value.func  # `asynccontextmanager(f)()`
    if not isinstance(func, (Name, Attribute)):
        return False
    symbol = index.resolve_expr(module, func)
    if symbol.kind == "function":
        function = index.function_fact(symbol)
        return function is not None and _other_library_annotation(index, symbol.module, function.returns)
    return symbol.dotted.rsplit(".", 1)[-1][:1].isupper() and other_library(symbol)


def _other_library_annotation(index: SymbolIndex, module: str, annotation: Expr | None) -> bool:
    """`aiohttp.ClientSession` or `ClientSession | None`, or a generator or context manager of one
    (`AsyncIterator[httpx.AsyncClient]`, what a dependency or a `@asynccontextmanager` yields):
    another library's class."""
    found = handed_out(index, module, annotation)
    kinds = alternatives(found) if found is not None else ()
    return bool(kinds) and all(other_library(kind.symbol) for kind in kinds)


def local_sessions(index: SymbolIndex, module: str, function: FunctionFact) -> set[str]:
    """`async with async_session() as session:` or `db = SessionLocal()`: locals named like
    sessions, unless what they hold is another library's object (`async with
    aiohttp.ClientSession() as session`)."""
    return {e.target.id for e in function.events if e.kind in ("with", "assign") and isinstance(e.target, Name)
            and e.target.id in SESSION_NAMES and not makes_other_library_object(index, module, e.value)}


def is_session_receiver(receiver: Expr, session_names: set[str], requests: frozenset[str] = frozenset()) -> bool:
    """`session`, a session parameter or local, or an attribute named like a session on any
    object (`self.session`, `self.db`, `service.session`), but not `request.session` for the
    request parameters `requests`."""
    name = dotted(receiver)
    if name is None:
        return False
    if "." not in name:
        return name in session_names
    owner, _, attribute = name.rpartition(".")
    return attribute in SESSION_NAMES and owner not in requests


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
    """The function hands out a session by its return annotation: it returns one, or yields one
    (`-> AsyncIterator[AsyncSession]`). A factory returning `async_sessionmaker[AsyncSession]` or
    `tuple[AsyncEngine, AsyncSession]` hands out none."""
    return hands_out_session_type(index, module, function.returns)


def _builds_sessionmaker(index: SymbolIndex, symbol: Symbol) -> bool:
    """`async_session = async_sessionmaker(engine, ...)`, also through a project function that
    returns one (`make_session_factory(engine)`, annotated or by its return statements)."""
    event = index.assignment(symbol)
    return event is not None and _makes_sessionmaker(index, symbol.module, event.value)


def _makes_sessionmaker(index: SymbolIndex, module: str, value: Expr | None) -> bool:
    """`async_sessionmaker(engine, ...)`, or a project function that returns one."""
    if not is_call(value):
        return False
    maker = index.resolve_expr(module, value.func)
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
        # `requests.Session()` is no database session: another library's name counts when configured whole
        foreign = other_library(symbol) and symbol.dotted not in factories
        return None if symbol.dotted.startswith("builtins.") or foreign else name
    return None


class SessionProviders:
    """Project.session_providers: whether each project function hands out a session, decided once
    per function (every function that calls it asks)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.found: dict[Symbol, bool] = {}

    def provides(self, symbol: Symbol) -> bool:
        found = self.found.get(symbol)
        if found is None:
            found = self.found[symbol] = provides_session(self.project, symbol)
        return found


def provides_session(project: Project, symbol: Symbol, depth: int = 0) -> bool:
    """A project function that hands out a session: a configured session dependency, one whose
    return annotation names a session, or one that opens a session and yields or returns it
    (`@asynccontextmanager async def get_session_context(): async with async_session() as s: yield s`)."""
    index = project.index
    function = index.function_fact(symbol)
    if function is None or depth > 3:
        return False
    config = project.config
    if dependency_kind(symbol, frozenset(config.read_sessions), frozenset(config.write_sessions)):
        return True
    if returns_session(index, symbol.module, function):
        return True
    opened = _opened_locals(project, symbol.module, function, depth + 1)
    handed: set[str] = set()  # the names it returns or yields
    for event in function.events:
        given = _handed_out(event)
        if isinstance(given, Name):
            handed.add(given.id)
        elif event.kind == "return" and _session_value(project, symbol.module, given, depth + 1):
            return True  # `return asynccontextmanager(get_session)()`: a new session when entered
    return bool(opened & handed)


def _session_value(project: Project, module: str, value: Expr | None, depth: int) -> bool:
    """`value` makes a session: a session factory called (`async_session()`, `.begin()`,
    `sessionmaker(bind=engine)()`), a session-providing function called (`get_session_context()`),
    or one wrapped in a context manager (`asynccontextmanager(get_session)()`)."""
    if not isinstance(value, Call):
        return False
    index = project.index
    func = value.func
    wrapped = _wrapped_in_context_manager(index, module, func)
    if wrapped is not None:
        return provides_session(project, index.resolve_expr(module, wrapped), depth)
    if isinstance(func, Call) and index.resolve_expr(module, func.func).dotted in SESSIONMAKERS:
        return True  # `sessionmaker(bind=engine)()`: a sessionmaker called where it is built
    if opens_session(index, module, func, frozenset(project.config.session_factories)):
        return True
    symbol = index.resolve_expr(module, func)
    if symbol.kind != "function":
        return False
    return project.session_providers.provides(symbol) if depth == 0 else provides_session(project, symbol, depth)


def hands_out_session(project: Project, module: str, call: Call) -> str | None:
    """The called name when `call` runs a project function that hands out a session of its own
    (`async with get_async_db() as db`, `asynccontextmanager(get_session)()`), else None. A call
    handed a session (`get_db_context(db)`) reuses it."""
    if any(isinstance(argument, Name) and argument.id in SESSION_NAMES for argument in call_arguments(call)):
        return None
    called = _wrapped_in_context_manager(project.index, module, call.func) or call.func
    symbol = project.index.resolve_expr(module, called)
    if symbol.kind != "function" or not project.session_providers.provides(symbol):
        return None
    return dotted(called) or render(called)


def hands_out_holder(project: Project, module: str, call: Call) -> str | None:
    """The called name when `call` runs a project function that opens a session and hands out an
    object built with it (`async with ItemService.with_session() as service`, where `with_session`
    yields `cls(session)` from `async with session_factory() as session`), else None. A call
    handed a session reuses it."""
    if any(isinstance(argument, Name) and argument.id in SESSION_NAMES for argument in call_arguments(call)) \
            or any(key in SESSION_NAMES for key in call_kwargs(call)):
        return None
    index = project.index
    symbol = index.resolve_expr(module, call.func)
    if symbol.kind != "function" and isinstance(call.func, Attribute):  # `Service.with_session()`, inherited
        owner = index.resolve_expr(module, call.func.value)
        found = index.method(owner, call.func.attr) if owner.kind == "class" else None
        symbol = found[0] if found is not None else symbol
    function = index.function_fact(symbol) if symbol.kind == "function" else None
    if function is None:
        return None
    opened = _opened_locals(project, symbol.module, function, 1)
    for event in function.events if opened else ():
        given = _handed_out(event)
        if isinstance(given, Call) and any(isinstance(argument, Name) and argument.id in opened
                                           for argument in call_arguments(given)):
            return dotted(call.func) or render(call.func)
    return None


def _handed_out(event: Event) -> Expr | None:
    """What the statement yields or returns, if it does."""
    value = event.value
    return value.value if isinstance(value, Yield) else value if event.kind == "return" else None


def _wrapped_in_context_manager(index: SymbolIndex, module: str, func: Expr) -> Expr | None:
    """`get_session` when `func` is `asynccontextmanager(get_session)` (or `contextmanager`'s)."""
    if isinstance(func, Call) and func.args and index.resolve_expr(module, func.func).dotted in CONTEXT_MANAGER_WRAPPERS:
        return func.args[0]
    return None


def _opened_locals(project: Project, module: str, function: FunctionFact, depth: int = 0) -> set[str]:
    return {e.target.id for e in function.events if e.kind in ("with", "assign") and isinstance(e.target, Name)
            and _session_value(project, module, e.value.value if isinstance(e.value, Await) else e.value, depth)}


def opens_own_session(project: Project, module: str, function: FunctionFact, value: Expr | None) -> bool:
    """`value`, written in `function`, opens a session of its own (what a `with` or an assignment
    binds from it is a new session): a call `_session_value` knows (`SessionLocal()`,
    `async_session()`, `Session(engine)`, `sessionmaker(bind=engine)()`, `get_session_context()`,
    a configured factory), or one that only the function shows: a sessionmaker it keeps in a local
    (`sessionmaker = create_async_sessionmaker(engine)`, then `sessionmaker()`), or a function it
    defines that hands one out (`@contextmanager def session_scope(engine): ... yield session`)."""
    value = value.value if isinstance(value, Await) else value
    if not isinstance(value, Call):
        return False
    if _session_value(project, module, value, 0):
        return True
    func = value.func.value if isinstance(value.func, Attribute) and value.func.attr == "begin" else value.func
    if not isinstance(func, Name):
        return False
    local = last_assignment(function.events, func.id, value.span.line)
    if local is not None:
        return _makes_sessionmaker(project.index, module, local.value)
    inner = Symbol("function", module, f"{function.qualname}.<locals>.{func.id}")
    return project.index.function_fact(inner) is not None and provides_session(project, inner)


def request_parameters(index: SymbolIndex, module: str, function: FunctionFact) -> frozenset[str]:
    """Parameters annotated as the request (whose `.session` is Starlette's, not the database's)."""
    return frozenset(p.name for p in function.params if p.annotation is not None
                     and index.resolve_expr(module, p.annotation).dotted in REQUEST_CLASSES)


class FunctionSessions:
    """The sessions one function reaches: its session parameters, the locals named like a session
    or opened from a session factory, attributes named like a session (`self.db`,
    `service.session`), and attributes of `self` or of a parameter that their class types as a
    session (`self.database`, `uow.connection`).

    `FunctionSessions(project, module, function).is_session(expr)` is the question rules ask;
    `key(expr)` says which session an expression is, for rules that ask whether two uses share one."""

    def __init__(self, project: Project, module: str, function: FunctionFact) -> None:
        self.project = project
        self.module = module
        self.function = function
        self.parameters = session_parameters(project.index, module, function)
        has_self = function.class_name is not None and bool(function.params) and function.params[0].name == "self"
        self.cls = TypeRef(Symbol("class", module, function.class_name or "")) if has_self else None
        self._typed: dict[str, bool] = {}

    @cached_property
    def names(self) -> set[str]:
        """The session parameters and locals (built on first use: asking only which session a
        `self` attribute is needs none of the locals)."""
        return self.parameters | local_sessions(self.project.index, self.module, self.function) | _opened_locals(
            self.project, self.module, self.function)

    def is_session(self, receiver: Expr, line: int | None = None) -> bool:
        """Whether `receiver`, written in this function (on `line`, when given), is a session. On
        a given line, a session name rebound before it to another library's object (`async with
        aiohttp.ClientSession() as session`) is not one."""
        name = dotted(receiver)
        if name is None:
            return False
        if "." not in name:
            return name in self.names and (line is None or not self._rebound_away(name, line))
        if not isinstance(receiver, Attribute):
            return False
        if receiver.attr in SESSION_NAMES:
            return is_session_receiver(receiver, self.names, self.requests) and not self._other_library_attribute(
                receiver)
        if not isinstance(receiver.value, Name):
            return False
        key = f"{receiver.value.id}.{receiver.attr}"
        if key not in self._typed:
            owner = self._owner_type(receiver.value.id)
            self._typed[key] = owner is not None and is_session_type(self.project.types.attribute(owner, receiver.attr))
        return self._typed[key]

    @cached_property
    def requests(self) -> frozenset[str]:
        """The request parameters (asked only of `x.session`-like receivers: resolving every
        parameter's annotation up front cost more than the rest of the analysis)."""
        return request_parameters(self.project.index, self.module, self.function)

    def _rebound_away(self, name: str, line: int) -> bool:
        bound = last_binding(self.function.events, name, line)
        return bound is not None and makes_other_library_object(self.project.index, self.module, bound.value)

    def _other_library_attribute(self, receiver: Attribute) -> bool:
        """`self.session` that `__init__` sets to another library's object (`aiohttp.ClientSession()`),
        or that the class annotates as one."""
        if not isinstance(receiver.value, Name) or receiver.value.id != "self" or self.cls is None:
            return False
        found = self.project.types.attribute(self.cls, receiver.attr)
        if found is not None:
            kinds = alternatives(found)
            return bool(kinds) and all(other_library(kind.symbol) for kind in kinds)
        assigned = self._init_value(receiver.attr)
        return assigned is not None and makes_other_library_object(self.project.index, self.module, assigned[1])

    def _owner_type(self, name: str) -> TypeRef | None:
        """The class of `self`, or of a parameter by its annotation (`uow: UnitOfWork`)."""
        if name == "self":
            return self.cls
        param = next((p for p in self.function.params if p.name == name), None)
        found = self.project.types.annotation(self.module, param.annotation) if param else None
        return found if found is not None and found.symbol.kind == "class" else None

    def may_have_sessions(self, function: FunctionFact) -> bool:
        """Whether any expression of `function` can be a session (to skip the others quickly)."""
        return bool(self.names) or function.class_name is not None or any(
            isinstance(node, Attribute) and node.attr in SESSION_NAMES
            for e in function.events for x in (e.value, e.target) for node in walk(x))


    # ------------------------------------------------------------------ which session

    @cached_property
    def owner(self) -> TypeRef:
        """The class the function is defined in (whatever its first parameter is called)."""
        name = self.function.class_name
        return TypeRef(Symbol("class", self.module, name)) if name else TypeRef(UNKNOWN)

    def key(self, expr: Expr, depth: int = 0) -> str | None:
        """Which session `expr` is: a session parameter, `self.<session>`, a local session, or a
        repository or service built from one of them. Keys compare equal when the same session
        object is meant."""
        if isinstance(expr, Name) and expr.id in self.parameters:
            return f"init:{expr.id}" if self.function.name == "__init__" else f"param:{expr.id}"
        attribute = self_attribute(expr)
        if attribute is not None:
            return self.attribute_key(attribute)
        if depth >= 3:
            return None
        built = expr
        if isinstance(expr, Name):
            assigned = last_assignment(self.function.events, expr.id, 10**9)
            built = assigned.value if assigned is not None and assigned.value is not None else expr
            if not isinstance(built, Call) and self.is_session(expr):
                return f"local:{expr.id}"  # `async with session_scope() as session`
        return self._built_from(built, depth) if isinstance(built, Call) else None

    def holds_session(self, name: str) -> bool:
        """`self.<name>` holds a session: by its name, or by the type the class gives it."""
        return is_session_attribute(name, None if name in SESSION_NAMES else self.project.types.attribute(
            self.owner, name))

    def attribute_key(self, name: str) -> str | None:
        """`self.name`: a session attribute, or a repository constructed in `__init__` from one."""
        found = None if name in SESSION_NAMES else self.project.types.attribute(self.owner, name)
        if is_session_attribute(name, found):
            return self._init_origin(name) or f"self.{name}"
        if found is not None and is_repository_class(self.project, found.symbol):
            return self._constructed_from(name)
        return None

    def _init_value(self, name: str) -> tuple[FunctionFact, Expr] | None:
        """What `__init__` (the class's or a base's) assigns to `self.name`."""
        index = self.project.index
        for owner in index.mro(self.owner.symbol):
            init = index.function_fact(Symbol("function", owner.module, f"{owner.name}.__init__"))
            if init is None:
                continue
            for event in init.events:
                if event.kind in ("assign", "annassign") and event.target == Attribute(Name("self"), name):
                    return (init, event.value) if event.value is not None else None
        return None

    def _init_origin(self, name: str) -> str | None:
        """`self.session = session` in `__init__`: the parameter it came from."""
        found = self._init_value(name)
        value = found[1] if found is not None else None
        return f"init:{value.id}" if isinstance(value, Name) else None

    def _constructed_from(self, name: str) -> str | None:
        """`self.items = ItemRepository(session)` in `__init__`: the session it was built with."""
        found = self._init_value(name)
        if found is None:
            return None
        init, call = found
        if not isinstance(call, Call):
            return None
        init_sessions = session_parameters(self.project.index, self.module, init)
        for arg in call_arguments(call):
            if isinstance(arg, Name) and arg.id in init_sessions:
                return f"init:{arg.id}"
            attribute = self_attribute(arg)
            if attribute is not None and is_session_attribute(attribute, None):
                return self._init_origin(attribute) or f"self.{attribute}"
        return None

    def _built_from(self, call: Call, depth: int) -> str | None:
        """`ItemRepository(session)`, `SecretsService(session)`: the session a repository or a
        service class is constructed with, which its methods use."""
        symbol = self.project.index.resolve_expr(self.module, call.func)
        if not (is_repository_class(self.project, symbol)
                or symbol.kind == "class" and self.project.role(symbol.module) == "service"):
            return None
        for arg in call_arguments(call):
            key = self.key(arg, depth + 1)
            if key is not None:
                return key
        return None


# ---------------------------------------------------------------------------------- database work


@record(frozen=True)
class DatabaseWork:
    span: Span
    what: str  # readable: "a `select(...)` statement" or "`session.execute(...)`"


# Per statement: its first database work, the local it builds a statement into, the statement,
# and the session call of its work.
StatementWork = tuple[DatabaseWork | None, str | None, tuple[Event, Call | None]]


def database_work(project: Project, facts: ModuleFacts, function: FunctionFact,
                  methods: frozenset[str]) -> Iterator[DatabaseWork]:
    """The first piece of database work in each statement (a statement built, or one of `methods`
    called on a session): one per statement, and one per query: running a statement kept in a
    local (`stmt = select(...)`, then `session.execute(stmt)`) is the work already reported, and a
    statement kept in a local that a later one builds on (`sub = select(...).subquery()`, the
    halves of `a.union(b)`, a `cte`) and is not run itself is part of that one's query, reported
    there (a page's statement run and also counted as a subquery is two queries)."""
    found = list(_statement_work(project, facts, function, methods))
    built = {target for work, target, _ in found if work is not None and target}
    parts = {index for index, (work, target, _) in enumerate(found)
             if work is not None and target and _is_part(target, _until_built_again(found, index, target), built)
             } if built else set()
    kept: set[str] = set()  # the locals holding a statement reported (or composed) so far
    for index, (work, target, (_, run)) in enumerate(found):
        if target is not None:
            kept.add(target)
        if work is None or index in parts:
            continue
        if target is None and any(_runs_local(run, name) for name in kept):
            continue
        yield work


def _until_built_again(found: list[StatementWork], index: int, name: str) -> list[StatementWork]:
    """The statements after `index`, up to the next that builds another statement into `name`."""
    after = found[index + 1:]
    again = next((number for number, (_, target, _) in enumerate(after) if target == name), len(after))
    return after[:again]


def _is_part(name: str, later: list[StatementWork], built: set[str]) -> bool:
    """The statement kept in `name` is composed into a later one (a builder's or a session call's
    argument, `a.union(b)`, or another statement local's value) and never run as it is."""
    composed = any((work is not None or target in built) and not _runs_local(run, name)
                   and name in _names(event) and name != target or _returns_fragment_of(event, name)
                   for work, target, (event, run) in later)
    return composed and not any(_runs_local(run, name) for _, _, (_, run) in later)


def _returns_fragment_of(event: Event, name: str) -> bool:
    """`return stmt.subquery()`: the statement kept in `name` handed back as a part of the caller's
    query, as `return select(...).exists()` is (`_in_fragment`)."""
    return event.kind == "return" and any(Name(name) in walk(made) for made in _made_fragments(event.value))


def _statement_work(project: Project, facts: ModuleFacts, function: FunctionFact, methods: frozenset[str]
                    ) -> Iterator[StatementWork]:
    """Per statement of the function: its first database work, the local it builds a statement
    into (if it does), the statement, and the session call of its work (None when it builds)."""
    sessions: FunctionSessions | None = None  # built for the functions that call one of `methods`
    for event in function.events:
        work: DatabaseWork | None = None
        builds, run = False, None
        for expr in (event.value, event.target):
            for call in calls_in(expr):
                func = call.func
                builder = statement_builder(project.index, facts.module, func)
                if builder is not None:
                    if event.kind == "return" and _in_fragment(expr, call):
                        continue  # `return select(...).exists()`: a condition for the caller's query
                    work, builds = DatabaseWork(call.span, f"a `{builder}(...)` statement"), True
                elif isinstance(func, Attribute) and func.attr in methods:
                    sessions = sessions or FunctionSessions(project, facts.module, function)
                    if sessions.is_session(func.value, call.span.line):
                        work, run = DatabaseWork(call.span, f"`{dotted(func) or render(func)}(...)`"), call
                if work is not None:
                    break
            if work is not None:
                break
        target = event.target.id if builds and isinstance(event.target, Name) else None
        yield work, target, (event, run)


# What turns a statement into a piece of another one: a condition, a column, a FROM clause.
FRAGMENTS = frozenset({"exists", "subquery", "scalar_subquery", "cte", "alias", "lateral", "as_scalar", "label"})


def _in_fragment(expr: Expr | None, statement: Call) -> bool:
    """`statement` is the start of a chain ending in a fragment (`select(...).where(...).exists()`,
    `.scalar_subquery()`): returned, a part of the caller's query, not a query of its own. (Kept
    in a local, the statements that build on it decide; put into a statement this function did
    not build, `repository_statement.where(select(...).exists())`, it is this function's query.)"""
    return any(any(inner is statement for inner in walk(made)) for made in _made_fragments(expr))


def _made_fragments(expr: Expr | None) -> Iterator[Expr]:
    """What each fragment call in `expr` is made of: `select(...).where(...)` in `....exists()`."""
    for node in walk(expr):
        if isinstance(node, Call) and isinstance(node.func, Attribute) and node.func.attr in FRAGMENTS:
            yield node.func.value


def _names(event: Event) -> set[str]:
    return {node.id for expr in (event.value, event.target) for node in walk(expr) if isinstance(node, Name)}


def _runs_local(call: Call | None, name: str) -> bool:
    """`session.execute(stmt)`: the session call runs the statement kept in `name` as it is."""
    return call is not None and bool(call.args) and isinstance(call.args[0], Name) and call.args[0].id == name
