"""Each module's architectural role, and why: configuration, then the default layout, then content,
then use (a module left without a role that stands between routers and repositories)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import Protocol, TypeVar

from layerlint.core.config import DEFAULT_ROLE_GLOBS, ROLE_NAMES, Config, ConfigError
from layerlint.core.globs import first_module_matcher, match_module
from layerlint.core.records import record
from layerlint.project.index.annotated import annotated_metadata
from layerlint.project.index.background_tasks import TaskDecorators, task_decorator
from layerlint.project.index.configured_names import check_configured_names
from layerlint.project.index.graph import ImportGraph
from layerlint.project.index.imports import modules_reached
from layerlint.project.index.libraries import crud_base
from layerlint.project.index.programs import runs_itself
from layerlint.project.index.session_types import session_annotated_parameters
from layerlint.project.index.symbols import Symbol, SymbolIndex
from layerlint.project.reading.expr import (
    Attribute,
    Call,
    Expr,
    Name,
    Subscript,
    call_args,
    call_arguments,
    calls_in,
    dotted,
    is_call,
    render,
    self_attribute,
    walk,
)
from layerlint.project.reading.facts import (
    ClassFact,
    FunctionFact,
    ImportFact,
    ModuleFacts,
    ParamFact,
)

ROUTER_CLASSES = frozenset({"fastapi.APIRouter", "fastapi.routing.APIRouter", "fastapi.FastAPI",
                            "fastapi.applications.FastAPI",
                            # fastapi-utils' and its successor fastapi-restful's APIRouter subclass, which
                            # infers `response_model` from the return annotation (used with `@cbv`)
                            "fastapi_utils.inferring_router.InferringRouter",
                            "fastapi_restful.inferring_router.InferringRouter"})
APP_CLASSES = frozenset({"fastapi.FastAPI", "fastapi.applications.FastAPI"})
# Calls that build or run a query over the table model given first: a data-access class's work.
QUERY_BUILDERS = frozenset({"get", "query", "select", "delete", "update", "insert"})
# A session's methods that run or stage a query.
SESSION_QUERIES = frozenset({"get", "get_one", "execute", "exec", "scalars", "scalar", "query", "add", "add_all",
                             "delete", "merge", "stream", "stream_scalars"})
ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "api_route",
                           "websocket", "trace"})


@record(frozen=True)
class Role:
    role: str | None
    reason: str
    # It runs itself (`if __name__ == "__main__":`), nothing imports it, it is no entry point of the
    # application (`PROGRAM_ROLES`) and lies outside the packages holding the routers and the app:
    # an operator's program, such as a backfill under `scripts/`.
    program: bool = False


def router_instances(index: SymbolIndex, facts: ModuleFacts) -> dict[str, str]:
    """Module-level names bound to an APIRouter/FastAPI instance -> the class's dotted name."""
    found: dict[str, str] = {}
    for event in facts.events:
        if event.kind not in ("assign", "annassign") or not is_call(event.value) or event.target is None:
            continue
        name = dotted(event.target)
        if name is None or "." in name:
            continue
        router_class = _router_class(index, index.resolve_expr(facts.module, event.value.func), 0)
        if router_class is not None:
            found[name] = router_class
    return found


def _router_class(index: SymbolIndex, cls: Symbol, depth: int) -> str | None:
    """The FastAPI class (APIRouter or FastAPI) that calling `cls` instantiates, if any: the class
    itself, a project subclass, or an alias made by a factory annotated `-> type[APIRouter]`."""
    if cls.dotted in ROUTER_CLASSES:
        return cls.dotted
    if cls.kind == "class":
        mro = {s.dotted for s in index.mro(cls)}
        return next((name for name in sorted(ROUTER_CLASSES) if name in mro), None)
    if cls.kind != "assign" or depth > 3:
        return None
    event = index.assignment(cls)
    if event is None or not is_call(event.value):
        return None
    factory = index.function_fact(index.resolve_expr(cls.module, event.value.func))
    returns = factory.returns if factory else None
    if not isinstance(returns, Subscript) or (dotted(returns.value) or "") not in ("type", "typing.Type", "Type"):
        return None
    owner = index.resolve_expr(cls.module, event.value.func)
    return _router_class(index, index.resolve_expr(owner.module, returns.slice), depth + 1)


def is_router_object(index: SymbolIndex, module: str, receiver: str) -> bool:
    """Does `receiver` (a name or dotted path used in `module`) resolve to an APIRouter/FastAPI?"""
    head, _, rest = receiver.partition(".")
    symbol = index.resolve_name(module, head)
    for attribute in rest.split(".") if rest else ():
        symbol = index.member(symbol, attribute)
    if symbol.kind != "assign":
        return False
    facts = index.modules.get(symbol.module)
    return facts is not None and symbol.name in router_instances(index, facts)


_T = TypeVar("_T")


class PerClosure(Protocol):
    def __call__(self, what: str, facts: ModuleFacts, compute: Callable[[ModuleFacts], _T]) -> _T: ...


class RoleAssigner:
    def __init__(self, index: SymbolIndex, config: Config, per_closure: PerClosure,
                 graph: Callable[[], ImportGraph]) -> None:
        """`per_closure`: where a role from content is kept, as it reads the module's import
        closure alone (`Project.per_closure`); `graph`: the project's syntactic import graph,
        read only when some module may be a program."""
        self.index = index
        self.config = config
        self.content = ContentRoles(index, config)
        self._task_decorators = TaskDecorators()
        self._per_closure = per_closure
        self._graph = graph

    def assign(self) -> dict[str, Role]:
        roles = {name: self._role_of(facts) for name, facts in self.index.modules.items()}
        by_use = RolesByUse(self.index, roles, self.content, self._graph)
        roles.update(by_use.decide())
        roles.update(by_use.programs())
        self._check_configured_globs()
        check_configured_names(self.config, self.index.modules)
        return roles

    def _check_configured_globs(self) -> None:
        for role in ROLE_NAMES:
            for glob in self.config.configured_role_globs(role):
                if not any(match_module(glob, name) for name in self.index.modules):
                    raise ConfigError(self.config.file, self.config.role_key(role, glob),
                                      f"glob `{glob}` matches no module of the project")

    def _role_of(self, facts: ModuleFacts) -> Role:
        found = self._role_by_name(facts.module)
        if found is None:
            return self._per_closure("content_role", facts, self._role_from_content)
        if found.reason.startswith("default layout"):  # a name is a guess the content may correct
            return self.content.correct(facts.module, found)
        return found

    def _role_by_name(self, module: str) -> Role | None:
        index = self._first_name_glob(module)
        if index is None:
            return None
        role, glob, configured = self._name_globs[index]
        if configured:
            return Role(role, f"configured glob `{glob}` ({self.config.role_key(role, glob)})")
        return Role(role, f"default layout `{glob}`")

    @cached_property
    def _name_globs(self) -> list[tuple[str, str, bool]]:
        """(role, glob, configured) in the order a module's name is tried: every configured glob,
        then the defaults of the roles the configuration does not replace. Built once: asked of
        every module and its packages, the configuration's lookups per glob were most of
        assigning the roles."""
        configured = [(role, glob, True) for role in ROLE_NAMES for glob in self.config.configured_role_globs(role)]
        return configured + [(role, glob, False) for role in ROLE_NAMES
                             if not self.config.replaces_role(role) for glob in DEFAULT_ROLE_GLOBS[role]]

    @cached_property
    def _first_name_glob(self) -> Callable[[str], int | None]:
        return first_module_matcher([glob for _, glob, _ in self._name_globs])

    def _wiring_package(self, module: str) -> str | None:
        """The enclosing `dependencies`/`deps` package with the dependency role (`app/api/dependencies/`),
        if any. Not a `providers` or `container` package: auth or data providers split into modules
        are not all wiring."""
        parts = module.split(".")
        for end in range(len(parts) - 1, 0, -1):
            package = ".".join(parts[:end])
            named = self._role_by_name(package) if package in self.index.modules else None
            if named is not None:
                wiring = named.role == "dependency" and parts[end - 1] in WIRING_PACKAGES
                return package if wiring else None
        return None

    def _role_from_content(self, facts: ModuleFacts) -> Role:
        instances = router_instances(self.index, facts)
        apps = [name for name, cls in instances.items() if cls in APP_CLASSES]
        routers = [name for name in instances if name not in apps]
        if routers:
            return Role("router", f"defines APIRouter `{routers[0]}`")
        decorated = self._route_decorator(facts)
        if decorated:
            return Role("router", f"has route handler `{decorated}`")
        if apps:
            return Role("app", f"defines FastAPI app `{apps[0]}`")
        factory = self._app_factory(facts)
        if factory is not None:
            return Role("app", f"builds the FastAPI app in `{factory}`")
        wiring = self._wiring_package(facts.module)
        if wiring is not None:
            return Role("dependency", f"in dependency-wiring package `{wiring}`")
        task = task_decorator(self.index, facts, self._task_decorators)
        if task is not None:
            return Role("worker", f"defines background task {task}")
        from layerlint.project.index.models import (
            is_table_model,  # late: models builds on roles' index
        )

        for cls in facts.classes:
            symbol = Symbol("class", facts.module, cls.qualname)
            if is_table_model(self.index, symbol):
                access = self.content.data_access(facts)
                return Role("repository", f"defines table model `{cls.name}` and {access}") if access \
                    else Role("model", f"defines table model `{cls.name}`")
        base = self.config.base_repository.split(".")[-1]
        for cls in facts.classes:
            if cls.name == base:
                return Role("repository", f"defines the base repository `{cls.name}`")
            if self.index.inherits_from(Symbol("class", facts.module, cls.qualname), {base}):
                return Role("repository", f"`{cls.name}` derives from `{base}`")
        for cls in facts.classes:
            if cls.name.endswith("Service") and cls.qualname == cls.name:
                return Role("service", f"defines service class `{cls.name}`")
        crud = self._crud_object(facts)
        if crud is not None:
            return Role("repository", crud)
        return Role(None, "no glob or content matched")

    def _crud_object(self, facts: ModuleFacts) -> str | None:
        """A module that builds a CRUD library's object over a table model (`crud_tokens =
        FastCRUD(Token)`, also through an alias `CRUDToken = FastCRUD[Token, ...]` or a project
        class extending the library's) is data access wherever it lives (`core/db/crud_tokens.py`)."""
        from layerlint.project.index.models import is_table_model  # late: models builds on roles' index

        for cls in facts.classes:
            extended = crud_base(self.index, Symbol("class", facts.module, cls.qualname))
            if extended is not None and cls.qualname == cls.name:
                return f"defines CRUD class `{cls.name}` (extends {extended.dotted.rpartition('.')[2]})"
        for event in facts.events:
            value = event.value
            if event.kind not in ("assign", "annassign") or not isinstance(event.target, Name) \
                    or not is_call(value) or not value.args:
                continue
            library_class = self._crud_class(facts.module, value.func)
            model = self.index.resolve_expr(facts.module, value.args[0])
            if library_class is not None and model.kind == "class" and is_table_model(self.index, model):
                return (f"builds CRUD object `{event.target.id}` ({library_class.rpartition('.')[2]}) "
                        f"over table model `{model.name}`")
        return None

    def _crud_class(self, module: str, expr: Expr) -> str | None:
        """The CRUD library class `expr` is, extends, or subscripts (`FastCRUD[Token, ...]` aliased)."""
        symbol = self.index.resolve_expr(module, expr)
        if symbol.kind == "assign":
            event = self.index.assignment(symbol)
            if event is None or not isinstance(event.value, Subscript):
                return None
            symbol = self.index.resolve_expr(symbol.module, event.value.value)
        base = crud_base(self.index, symbol)
        return base.dotted if base is not None else None

    def _app_factory(self, facts: ModuleFacts) -> str | None:
        """A module-level function that makes the `FastAPI` app (`def create_app(): app =
        FastAPI(...)`): the composition root, as a module-level app is. Only in a module whose text
        names `FastAPI` (the import that makes the call resolve names it, under any alias; a
        project module re-exporting the class under another name is not followed)."""
        if "FastAPI" not in facts.mentions:
            return None
        for function in facts.functions:
            if function.nested or function.class_name is not None:
                continue
            if any(is_call(event.value) and self.index.resolve_expr(facts.module, event.value.func).dotted in APP_CLASSES
                   for event in function.events):
                return function.name
        return None

    def _route_decorator(self, facts: ModuleFacts) -> str | None:
        for function in facts.functions:
            for decorator in function.decorators:
                target = decorator.func if is_call(decorator) else decorator
                name = dotted(target)
                if name and "." in name:
                    receiver, _, method = name.rpartition(".")
                    if method in ROUTE_METHODS and is_router_object(self.index, facts.module, receiver):
                        return function.name
        return None


WIRING_PACKAGES = frozenset({"dependencies", "deps", "dependency"})
# Packages named for data access: their modules of query functions are the repository layer once
# routers or services import them (`onyx/db/users.py`: `get_user_by_email(email, db_session)`).
DATA_PACKAGES = frozenset({"db", "database", "dal"})

# A database is touched through one of these (or a table model): a "repository" that imports none
# manages another kind of repository (git, artifacts, files on disk).
DATABASE_LIBRARIES = frozenset({
    "sqlalchemy", "sqlmodel", "asyncpg", "databases", "psycopg", "psycopg2", "aiopg", "aiomysql", "pymysql",
    "MySQLdb", "sqlite3", "aiosqlite", "motor", "pymongo", "beanie", "odmantic", "mongoengine", "tortoise",
    "peewee", "pony", "ormar", "piccolo", "edgedb", "gel", "prisma", "redis", "aioredis", "cassandra", "aiosql",
    "fastcrud", "sqlalchemy_crud_plus", "supabase", "firebase_admin", "boto3", "aioboto3", "elasticsearch",
    "neo4j", "clickhouse_connect", "duckdb", "pynamodb", "couchbase", "qdrant_client", "pinecone",
})
# What another kind of repository is managed with: version control, package and model hubs, files
# on disk, remote APIs. A package that touches no database and uses one of these is not the data layer.
OTHER_REPOSITORY_LIBRARIES = frozenset({
    "git", "pygit2", "dulwich", "github", "gitlab", "huggingface_hub", "docker", "oras", "httpx", "requests",
    "aiohttp", "urllib3", "pathlib", "shutil", "subprocess", "tarfile", "zipfile", "fsspec", "smart_open",
})


class ContentRoles:
    """Roles a module's name suggests and its package's content contradicts, decided per package
    (the module the name glob matches, with every module below it): one module that touches the
    database keeps a whole `repositories` package in the repository layer."""

    def __init__(self, index: SymbolIndex, config: Config) -> None:
        self.index = index
        self.config = config
        self._decided: dict[tuple[str, str], tuple[str | None, str] | None] = {}  # (role, why) when corrected
        self._matchers: dict[str, Callable[[str], int | None]] = {}

    def correct(self, module: str, named: Role) -> Role:
        if named.role not in ("model", "repository"):
            return named
        if named.role == "model" and (access := self.data_access(self.index.modules[module])) is not None:
            return Role("repository", f"{named.reason}, but it {access}")
        root = self._root(module, named.role)
        key = (root, named.role)
        if key not in self._decided:
            members = [self.index.modules[name] for name in self._package(root)]
            self._decided[key] = (self._model_correction if named.role == "model" else self._repository_correction)(
                members)
        decided = self._decided[key]
        if decided is None:
            return named
        role, reason = decided
        if role is None and named.role == "repository":  # the module's own name may still say what it is
            for other in ROLE_NAMES:
                if other != "repository" and self._role_matcher(other)(module) is not None:
                    return Role(other, f"{named.reason}, but package `{root}` {reason}; by its own name, {other}")
        return Role(role, f"{named.reason}, but package `{root}` {reason}")

    def data_access(self, facts: ModuleFacts) -> str | None:
        """Why a module that a name or its table models put in the model layer is the repository
        layer: a class of its own (neither a table model nor a pydantic model) whose methods
        build queries over table models (`session.get(Chat, id)`, `db.query(Chat)`,
        `select(Chat)`, `delete(Chat)`), as open-webui's `ChatTable` with `Chats = ChatTable()`
        that routers call for every read and write. Only classes with methods are read, so a
        models module of tables and DTOs costs nothing here. Module-level functions do not count:
        a models package's own helpers query too (mealie's `auto_init` fills relationships, its
        event listeners update ratings), and they are the model layer's machinery."""
        from layerlint.project.index.pydantic_models import is_data_model  # late: models builds on roles' index

        classes = {cls.qualname: cls.name for cls in facts.classes
                   if cls.methods and not is_data_model(self.index, Symbol("class", facts.module, cls.qualname))}
        if not classes:
            return None
        for function in facts.functions:
            if function.nested or function.class_name not in classes:
                continue
            model = next((found for call in _calls(function)
                          if (found := queried_table_model(self.index, facts.module, call))), None)
            if model is not None:
                return (f"defines data-access class `{classes[function.class_name]}` (its method "
                        f"`{function.name}` queries table model `{model}`)")
        return None

    def _model_correction(self, members: list[ModuleFacts]) -> tuple[str | None, str] | None:
        """A `models` package of pydantic models is the DTO layer; one that defines no class at
        all and imports no database library (`utils/models.py`: functions over an LLM registry)
        is no layer its name says."""
        dto = self._dto_reason(members)
        if dto is not None:
            return "dto", dto
        if any(facts.classes or self._imports_database(facts) for facts in members):
            return None
        return None, "defines no class (no table model, no DTO) and imports no database library"

    @cached_property
    def _sorted(self) -> list[str]:
        return sorted(self.index.modules)

    @cached_property
    def _order(self) -> dict[str, int]:
        return {name: number for number, name in enumerate(self.index.modules)}

    def _package(self, root: str) -> list[str]:
        """`root` and the modules below it, in the index's order. Found by bisecting the sorted
        names (a scan of every module per package was 0.6 s of a cold run at 100k lines, where
        each domain's `models` module is a package of its own)."""
        names = self._sorted
        found = [name for name in names[bisect_left(names, root):bisect_left(names, root + "/")]
                 if name == root or name.startswith(root + ".")]  # `.` sorts just before `/`
        return sorted(found, key=self._order.__getitem__)

    def _root(self, module: str, role: str) -> str:
        """The shortest enclosing module the role's globs match: `app.models` for `app.models.user`."""
        parts = module.split(".")
        matches = self._role_matcher(role)
        for end in range(1, len(parts) + 1):
            candidate = ".".join(parts[:end])
            if matches(candidate) is not None:
                return candidate
        return module

    def _role_matcher(self, role: str) -> Callable[[str], int | None]:
        """The role's globs as one test, built once per role (asked of each prefix of each module
        the role's name globs match: at 1M lines a third of assigning the roles, glob by glob)."""
        if role not in self._matchers:
            self._matchers[role] = first_module_matcher(self.config.role_globs(role))
        return self._matchers[role]

    def _dto_reason(self, members: list[ModuleFacts]) -> str | None:
        """Why a `models` package is a DTO package: pydantic models and not one table model."""
        from layerlint.project.index.models import (
            is_table_model,  # late: models builds on roles' index
        )
        from layerlint.project.index.pydantic_models import is_pydantic_model

        example: str | None = None
        for facts in members:
            if self._imports_database(facts):
                return None  # a declarative base, a Column type: the ORM's package after all
            for cls in facts.classes:
                symbol = Symbol("class", facts.module, cls.qualname)
                if is_table_model(self.index, symbol):
                    return None
                if example is None and is_pydantic_model(self.index, symbol):
                    example = cls.name
        return None if example is None else f"holds pydantic models (`{example}`) and no table model"

    def _repository_correction(self, members: list[ModuleFacts]) -> tuple[str | None, str] | None:
        """A `repositories` package that is not the data layer has no role its name says: it
        works with another kind of repository, or it is a feature package named for its domain
        (tracecat's `registry/repositories/` of registry repositories: its router, services and
        schemas), which no data layer holds a router of."""
        router = self._role_matcher("router")
        routers = sorted(facts.module for facts in members if router(facts.module) is not None)
        if routers:
            return None, f"holds router `{routers[0]}`: a feature package, not the data layer"
        # A package: one module named `repository.py` that queries nothing is asked below.
        delegated = self._hands_sessions_on(members) if len(members) > 1 else None
        if delegated is not None:
            return "service", delegated
        other = self._other_repository(members)
        return None if other is None else (None, other)

    def _hands_sessions_on(self, members: list[ModuleFacts]) -> str | None:
        """Why a `crud` or `repositories` package is the layer above the data layer: no function or
        method of it queries (a query over a table model, a session call), and they hand the
        sessions they are given to another module's code that does (mlrun's `server/api/crud/`: `get_db().list_artifacts(db_session,
        ...)`, the queries in `server/api/db/sqldb/db.py`)."""
        handed: str | None = None
        for facts in members:
            for function in facts.functions:
                how = queries_in(self.index, facts.module, function)
                if how is not None and not how.startswith("hands the session"):
                    return None  # a query of its own: a table model's, or a session call
                if handed is None and how is not None:
                    handed = _session_handed_out(self.index, facts.module, function,
                                                 {member.module for member in members})
        return None if handed is None else \
            f"runs no query itself and hands its sessions on ({handed}): the layer above the queries"

    def _other_repository(self, members: list[ModuleFacts]) -> str | None:
        """Why a `repositories` package is not the data layer: no module of it touches a database,
        and it works with a library that manages another kind of repository (`git`, `httpx`,
        `pathlib`). A package that imports nothing telling (a stub, a sketch) keeps its name's role.
        One that calls services and queries nothing itself leaves its database work to them
        (tracecat's `registry/repository.py`, a registry of actions loaded from git, imports
        `AsyncSession` to open a session for `RegistryReposService`)."""
        touching = [facts for facts in members if self._touches_database(facts)]
        if any(not self._delegates_to_services(facts) for facts in touching):
            return None
        other = sorted({top for facts in members for item in facts.imports
                        if (top := item.target.split(".")[0]) in OTHER_REPOSITORY_LIBRARIES
                        and not self.index.is_module(top)})
        if not other:
            return None
        if touching:
            return f"queries no table model itself, leaves that to the services it calls, and works with `{other[0]}`"
        return f"touches no database (no session, driver, ORM or table model) and works with `{other[0]}`"

    def _delegates_to_services(self, facts: ModuleFacts) -> bool:
        """It imports a service module (by the service globs) and no function of it queries or
        imports a table model."""
        from layerlint.project.index.models import is_table_model  # late: models builds on roles' index

        services = self._role_matcher("service")
        if not any(services(target) is not None for item in facts.imports
                   for target in modules_reached(self.index, item)):
            return False
        if any((symbol := self._imported_symbol(item)) is not None and is_table_model(self.index, symbol)
               for item in facts.imports):
            return False
        return not any(queries_in(self.index, facts.module, function, tables_only=True) for function in facts.functions)

    def _imports_database(self, facts: ModuleFacts) -> bool:
        return any(item.target.split(".")[0] in DATABASE_LIBRARIES for item in facts.imports)

    def _imported_symbol(self, item: ImportFact) -> Symbol | None:
        """What `from module import name` of a project module binds."""
        if item.kind == "from" and item.target in self.index.modules and item.name not in (None, "*"):
            return self.index.resolve_import(item)
        return None

    def _touches_database(self, facts: ModuleFacts) -> bool:
        """It imports a database library, a table model, or a project module that imports one."""
        from layerlint.project.index.models import is_table_model

        if self._imports_database(facts):
            return True
        for item in facts.imports:
            imported = self.index.modules.get(item.target)
            if imported is not None and self._imports_database(imported):
                return True
            symbol = self._imported_symbol(item)
            if symbol is not None:
                if is_table_model(self.index, symbol):
                    return True
                defining = self.index.modules.get(symbol.module)
                if defining is not None and self._imports_database(defining):
                    return True
        return False


def _calls(function: FunctionFact) -> Iterator[Call]:
    return (call for event in function.events for x in (event.value, event.target) for call in calls_in(x))


def queried_table_model(index: SymbolIndex, module: str, call: Call) -> str | None:
    """The table model a query-building call is given first (`get(Chat, ...)`, `select(Chat.id)`)."""
    from layerlint.project.index.models import table_model_named  # late: models builds on roles' index

    name = call.func.attr if isinstance(call.func, Attribute) else call.func.id if isinstance(call.func, Name) else None
    arguments = call_args(call)
    if name not in QUERY_BUILDERS or not arguments:
        return None
    first = arguments[0]
    for expr in (first, first.value if isinstance(first, Attribute) else None):
        model = table_model_named(index, module, expr) if expr is not None else None
        if model is not None:
            return model.name
    return None


def _table_model_used(index: SymbolIndex, module: str, call: Call, depth: int = 0) -> str | None:
    """A table model a session call reaches: named in its arguments (`func.count(User.id)`,
    `Notification(...)`), or, for a project function the session is handed to, in that
    function's own calls (one level: `batch_create_notifications(db_session, ...)`)."""
    from layerlint.project.index.models import table_model_named  # late: models builds on roles' index

    for argument in call_arguments(call):
        for node in walk(argument):
            if isinstance(node, (Name, Attribute)) and (model := table_model_named(index, module, node)) is not None:
                return model.name
    callee = index.resolve_expr(module, call.func)
    function = index.function_fact(callee) if depth == 0 and callee.kind == "function" else None
    for inner in _calls(function) if function is not None else ():
        found = queried_table_model(index, callee.module, inner) or _table_model_used(index, callee.module, inner, 1)
        if found is not None:
            return found
    return None


def _session_handed_out(index: SymbolIndex, module: str, function: FunctionFact, layer: set[str]) -> str | None:
    """A call of code outside the modules of `layer` handed the session the function is given
    (`get_db().list_artifacts(db_session, ...)`), not of the layer's own (`self.select_model(db,
    pk)`, `task_dao.select_model(db, pk)` with `task_dao = CRUDTask(Task)` beside it: a CRUD
    library's or a generic base's query, made in the layer)."""
    sessions = session_annotated_parameters(index, module, function)
    for call in _calls(function) if sessions else ():
        if any(isinstance(argument, Name) and argument.id in sessions for argument in call_arguments(call)) \
                and not _in_layer(index, module, call.func, layer):
            return f"`{function.qualname}` hands its session to `{render(call.func)}(...)`"
    return None


def _in_layer(index: SymbolIndex, module: str, func: Expr, layer: set[str]) -> bool:
    """`func` is code of the modules of `layer`: a method of `self`, `cls` or `super()`, a function
    or class defined there, or a method of an object whose class is (by its assignment)."""
    receiver = func.value if isinstance(func, Attribute) else None
    if receiver in (Name("self"), Name("cls")) or (is_call(receiver) and dotted(receiver.func) == "super"):
        return True
    symbol = index.resolve_expr(module, receiver if receiver is not None else func)
    if symbol.kind == "assign" and (event := index.assignment(symbol)) is not None:
        made = event.annotation or (event.value.func if is_call(event.value) else None)
        symbol = index.resolve_expr(symbol.module, made) if made is not None else symbol
    return symbol.module in layer


def queries_in(index: SymbolIndex, module: str, function: FunctionFact, tables_only: bool = False) -> str | None:
    """How a function queries, if it does: a table model it builds a query over, or a session it
    is handed (a parameter annotated as one) that it runs a query on or hands on to another call
    (with `tables_only`, one whose arguments, or the function it is handed to, name a table model)."""
    sessions = session_annotated_parameters(index, module, function)

    def is_session(expr: Expr) -> bool:
        return isinstance(expr, Name) and expr.id in sessions

    for call in _calls(function):
        model = queried_table_model(index, module, call)
        if model is not None:
            return f"queries table model `{model}`"
        func = call.func
        if tables_only:
            if (isinstance(func, Attribute) and func.attr in SESSION_QUERIES and is_session(func.value)
                    or any(is_session(argument) for argument in call_arguments(call))) \
                    and (model := _table_model_used(index, module, call)) is not None:
                return f"runs `{render(func)}(...)` over table model `{model}` on the session it is handed"
            continue
        if isinstance(func, Attribute) and func.attr in SESSION_QUERIES and is_session(func.value):
            return f"calls `{render(func)}(...)` on the session it is handed"
        if any(is_session(argument) for argument in call_arguments(call)):
            return f"hands the session it is handed to `{render(func)}(...)`"
    return None

DEPENDS_NAMES = frozenset({"Depends", "Security"})
# The roles a module's importers must have for it to be a layer by use: a module only the worker
# or a script imports is not between the routers and the repositories.
LAYER_IMPORTERS = frozenset({"router", "service", "dependency"})


# The roles a program may have: a module that runs itself and is the app, a router or a worker
# (`main.py` starting uvicorn, a one-file service with routes) is the application's entry point.
PROGRAM_ROLES = frozenset({None, "service", "repository", "model", "dto", "dependency"})


def is_depends_call(index: SymbolIndex, module: str, expr: Expr | None) -> bool:
    """`Depends(...)` or `Security(...)` of FastAPI (or a name the project does not define)."""
    if not is_call(expr):
        return False
    name = dotted(expr.func) or ""
    symbol = index.resolve_expr(module, expr.func)
    return name.rsplit(".", 1)[-1] in DEPENDS_NAMES and (not symbol.known or symbol.kind == "external")


class RolesByUse:
    """Roles of modules that neither a name nor their own content placed, read from how they are
    used. A class that holds a repository (an `__init__` parameter typed as a repository class, or
    an attribute set to a new repository) in a module that routers, services or wiring import is
    a service: `app/controllers/` that wrap repositories for routers, under a name no default
    covers. A module whose every public function takes a `Depends(...)` parameter, that imports
    repositories or services and that routers import builds their dependencies: wiring. A
    `models` module of query functions that routers, services or wiring import (or that its
    package hands out) is the repository layer (`_data_functions`), and so is such a module of a
    `db`, `database` or `dal` package that nothing else placed (`_data_package_functions`). A function that calls a
    repository is neither: it stays a helper, and a chain through it a layer violation."""

    def __init__(self, index: SymbolIndex, roles: dict[str, Role], content: ContentRoles,
                 graph: Callable[[], ImportGraph]) -> None:
        self.index = index
        self.roles = roles
        self.content = content
        self._graph = graph
        self._importers: dict[str, set[str]] | None = None

    def decide(self) -> dict[str, Role]:
        candidates: dict[str, tuple[str, str]] = {}  # module -> (role, what it does)
        for name, facts in self.index.modules.items():
            named = self.roles[name]
            found = None
            if named.role is None:
                found = self._service_class(facts) or self._wiring(facts) or self._data_package_functions(facts)
            elif named.role == "model" and named.reason.startswith("default layout"):
                found = self._data_functions(facts)
            if found is not None:
                candidates[name] = found
        decided: dict[str, Role] = {}
        changed = True
        while changed:  # a base class of a service is imported by that service alone
            changed = False
            for name, (role, does) in candidates.items():
                if name in decided:
                    continue
                importer = self._layer_importer(name, decided)
                if importer is not None:
                    decided[name] = Role(role, f"{does}; {importer}")
                    changed = True
        return decided

    def programs(self) -> dict[str, Role]:
        """The modules that are programs (`Role.program`), outside the packages that hold the routers
        and the app (`scripts/` beside `app/`), with their roles marked so. Whether another module
        imports one is read from the import statements as written: a name re-exported from it
        through a package is imported by that package's `__init__`, which is enough."""
        # The packages that hold the application (its routers and app): a module of theirs that
        # runs itself (a daemon the deployment starts) is the application's code all the same.
        application = {name.split(".")[0] for name, role in self.roles.items() if role.role in ("router", "app")}
        candidates = [name for name, facts in self.index.modules.items() if "__main__" in facts.mentions
                      and name.split(".")[0] not in application
                      and self.roles[name].role in PROGRAM_ROLES and runs_itself(facts)]
        if not candidates:
            return {}
        imported = {edge.imported for edges in self._graph().edges_from.values() for edge in edges}
        return {name: Role(self.roles[name].role, f"{self.roles[name].reason}; a program: it runs itself and no "
                                                  "module imports it", program=True)
                for name in candidates if name not in imported}

    def _role(self, module: str, decided: dict[str, Role]) -> str | None:
        return (decided.get(module) or self.roles[module]).role

    def _layer_importer(self, module: str, decided: dict[str, Role]) -> str | None:
        package = module.rsplit(".", 1)[0]
        for importer in sorted(self._imported_by().get(module, ())):
            role = self._role(importer, decided)
            if role in LAYER_IMPORTERS:
                return f"{role} `{importer}` imports it"
            if role == "repository" and importer in decided and package in (importer, importer.rsplit(".", 1)[0]):
                return f"its package `{importer}`, in the repository layer, hands it out" if importer == package \
                    else f"`{importer}` beside it, in the repository layer, uses it"
        return None

    # ------------------------------------------------------------------ function-style data layers

    def _data_functions(self, facts: ModuleFacts, tables_only: bool = False) -> tuple[str, str] | None:
        """A module a `models` glob placed that is a data layer of functions: it defines no table
        model, and a module-level function of it queries (`async def read_flow(session:
        AsyncSession, flow_id)`: `session.get(db.Flow, flow_id)`); or a package whose `__init__`
        imports such a module of its own (`from . import flows`: `models.flows.read_flow(...)`).
        It is the repository layer once a router, a service or wiring imports it (or its package,
        or a module beside it, so decided): the helpers a models package keeps for its own tables
        (relationship loaders, ORM event listeners) query too, but only the models import them."""
        if facts.is_package:
            for item in facts.imports:
                member = f"{item.target}.{item.name}" if item.kind == "from" else item.target
                if member.startswith(facts.module + ".") and member in self.index.modules \
                        and self._data_functions(self.index.modules[member]) is not None:
                    return "repository", f"its `__init__` imports data-access module `{member}`"
        from layerlint.project.index.models import is_table_model  # late: models builds on roles' index

        if any(is_table_model(self.index, Symbol("class", facts.module, cls.qualname)) for cls in facts.classes):
            return None
        for function in facts.functions:
            if function.nested or function.class_name is not None:
                continue
            how = queries_in(self.index, facts.module, function, tables_only)
            if how is not None:
                return "repository", f"defines data-access function `{function.name}` (it {how})"
        return None

    def _data_package_functions(self, facts: ModuleFacts) -> tuple[str, str] | None:
        """A module no name or content placed, in a package named for data access (`onyx/db/users.py`,
        `app/database/queries.py`), that is a data layer of functions (`_data_functions`) and
        imports no service: a routine that seeds the database through services (`db/init_db.py`)
        sits above them. There a function must reach a table model: a session it is handed and
        runs raw SQL on or hands on is the package's session plumbing (an engine module that
        prepares sessions, row-level-security settings, advisory locks: tracecat's `db/engine.py`,
        `db/rls.py`), which a router may use without a layer between. So is a module below such a
        package (`db/sqldb/db.py`) that defines a data-access class (`ContentRoles.data_access`)."""
        packages = facts.module.split(".")[:-1] if not facts.is_package else facts.module.split(".")
        if not packages or not DATA_PACKAGES.intersection(packages):
            return None
        if any(self.roles[target].role == "service" for item in facts.imports
               for target in modules_reached(self.index, item) if target in self.roles):
            return None
        if packages[-1] in DATA_PACKAGES and (found := self._data_functions(facts, tables_only=True)) is not None:
            return found
        # A class of queries anywhere below such a package (mlrun's `db/sqldb/db.py`: `SQLDB`).
        access = self.content.data_access(facts)
        return None if access is None else ("repository", access)

    def _imported_by(self) -> dict[str, set[str]]:
        """Who imports each module, by the modules an import really reaches (the package it
        names and the module defining the name). Built only when some module is a candidate."""
        if self._importers is None:
            self._importers = {}
            for name, facts in self.index.modules.items():
                for item in facts.imports:
                    for target in modules_reached(self.index, item):
                        self._importers.setdefault(target, set()).add(name)
        return self._importers

    # ------------------------------------------------------------------ services

    def _service_class(self, facts: ModuleFacts) -> tuple[str, str] | None:
        for cls in facts.classes:
            if cls.qualname != cls.name:
                continue
            held = self._held_repository(facts, cls)
            if held is not None:
                return "service", f"`{cls.name}` holds repository {held}"
        return None

    def _held_repository(self, facts: ModuleFacts, cls: ClassFact) -> str | None:
        init = next((f for f in facts.functions if f.class_name == cls.qualname and f.name == "__init__"), None)
        if init is None:
            return None
        for param in init.params:
            if self._is_repository(facts.module, param.annotation):
                return f"`{render_type(param.annotation)}` (parameter `{param.name}`)"
        for event in init.events:
            if event.kind in ("assign", "annassign") and event.target is not None and self_attribute(event.target) \
                    and is_call(event.value) and self._is_repository(facts.module, event.value.func):
                return f"`{render_type(event.value.func)}` (`self.{self_attribute(event.target)}`)"
        return None

    def _is_repository(self, module: str, expr: Expr | None) -> bool:
        if isinstance(expr, Subscript):  # `BaseRepository[Order]`
            expr = expr.value
        if expr is None:
            return False
        symbol = self.index.resolve_expr(module, expr)
        return symbol.kind == "class" and self.roles[symbol.module].role == "repository"

    # ------------------------------------------------------------------ wiring

    def _wiring(self, facts: ModuleFacts) -> tuple[str, str] | None:
        public = [f for f in facts.functions if not f.nested and not f.name.startswith("_")]
        if not public or not all(self._takes_depends(facts.module, f) for f in public):
            return None
        layer = next((target for item in facts.imports for target in modules_reached(self.index, item)
                      if self.roles[target].role in ("repository", "service")), None)
        if layer is None:
            return None
        example = public[0].qualname
        return "dependency", (f"builds dependencies from {self.roles[layer].role} `{layer}` "
                              f"(every public function takes `Depends(...)`: `{example}`)")

    def _takes_depends(self, module: str, function: FunctionFact) -> bool:
        return any(self._is_depends_param(module, param) for param in function.params)

    def _is_depends_param(self, module: str, param: ParamFact) -> bool:
        if is_depends_call(self.index, module, param.default):
            return True
        return any(is_depends_call(self.index, module, meta)
                   for meta in annotated_metadata(self.index, module, param.annotation))


def render_type(expr: Expr | None) -> str:
    return dotted(expr.value if isinstance(expr, Subscript) else expr) or "?"
