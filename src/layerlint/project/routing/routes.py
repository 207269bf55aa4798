"""FastAPI routing: router objects, route handlers and include_router calls, resolved by name.

`@router.get(...)` is a route only when `router` resolves to an `APIRouter`/`FastAPI` instance
(a module-level assignment in any module, under any import alias). `@cache.get(...)`, a module
function called `get`, or a method `get` on another object are not routes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from layerlint.core.records import field, record
from layerlint.project.index.roles import APP_CLASSES, ROUTE_METHODS, router_instances
from layerlint.project.index.symbols import Symbol
from layerlint.project.reading.expr import (
    Attribute,
    Call,
    Expr,
    List,
    Name,
    Tuple,
    call_args,
    call_kwargs,
    calls_in,
    constant,
    dotted,
    is_call,
    render,
)
from layerlint.project.reading.facts import Event, FunctionFact, ModuleFacts, Span
from layerlint.project.routing.call_sites import argument_values, passed_argument

if TYPE_CHECKING:  # the model builds this analysis; the analysis needs only its type
    from layerlint.project.project import Project

Scope = tuple[FunctionFact | None, list[Event]]  # the function (None: module level) and its events
REFLECTION = ("builtins.", "importlib.", "pydoc.", "operator.")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@record(frozen=True)
class RouterObject:
    symbol: Symbol  # the module-level name bound to the instance
    is_app: bool
    span: Span
    prefix: str
    dependencies: tuple[Expr, ...]


@record(frozen=True)
class RouteHandler:
    module: ModuleFacts
    function: FunctionFact
    router: RouterObject
    methods: tuple[str, ...]
    path: str
    decorator: Expr
    response_model: Expr | None
    dependencies: tuple[Expr, ...]  # decorator-level dependencies=[...]

    @property
    def decorator_span(self) -> Span:
        return self.decorator.span if is_call(self.decorator) else self.function.span

    @property
    def response_model_span(self) -> Span:
        """The decorator's `response_model=...` keyword, else the decorator."""
        keywords = self.function.decorator_keywords
        for index, decorator in enumerate(self.function.decorators):
            if decorator is self.decorator and index < len(keywords) and "response_model" in keywords[index]:
                return keywords[index]["response_model"]
        return self.decorator_span

    @property
    def returns_span(self) -> Span:
        """The return annotation, else the `def` (a function without one)."""
        return self.function.returns_span or self.function.span


@record(frozen=True)
class Inclusion:
    parent: Symbol | None  # None: a receiver that cannot be resolved (an app built in a function)
    child: Symbol
    prefix: str
    module: str
    dependencies: tuple[Expr, ...] = ()  # include_router(..., dependencies=[...])


@record
class RouteTable:
    routers: dict[Symbol, RouterObject] = field(default_factory=dict)
    handlers: list[RouteHandler] = field(default_factory=list)
    inclusions: list[Inclusion] = field(default_factory=list)
    unresolved: list[tuple[str, int]] = field(default_factory=list)  # include_router(x): x unknown
    by_child: dict[Symbol, list[Inclusion]] = field(default_factory=dict)  # indexed once the table is built

    def inclusions_of(self, child: Symbol) -> list[Inclusion]:
        """`include_router(child)` calls, in table order (a scan per router was O(n^2))."""
        return self.by_child.get(child, [])


def _list_items(expr: Expr | None) -> tuple[Expr, ...]:
    return tuple(expr.elts) if isinstance(expr, (List, Tuple)) else ()


def _path_text(expr: Expr | None) -> str:
    """A path or prefix as written: a literal, or `{settings.api_prefix}` when only known at run time."""
    value = constant(expr)
    if expr is None:
        return ""
    if isinstance(value, str):
        return value
    return "{" + render(expr) + "}"


def _router_objects(project: Project) -> dict[Symbol, RouterObject]:
    """Each module-level name bound to a router or app. The names of one chained assignment
    (`users_router = r = APIRouter()`: routes on `r`, the app includes `users_router`) are one
    object, named by the first."""
    routers: dict[Symbol, RouterObject] = {}
    for facts in project.modules.values():
        instances = router_instances(project.index, facts)
        if not instances:
            continue
        chained: dict[Span, RouterObject] = {}  # a statement's targets are events with its span
        for event in facts.events:
            name = dotted(event.target) if event.kind in ("assign", "annassign") else None
            if name in instances and is_call(event.value):
                assert event.value is not None and name is not None
                kwargs = call_kwargs(event.value)
                symbol = Symbol("assign", facts.module, name)
                routers[symbol] = chained.setdefault(event.span, RouterObject(
                    symbol, instances[name] in APP_CLASSES, event.span,
                    _path_text(kwargs.get("prefix")), _list_items(kwargs.get("dependencies"))))
    return routers


def resolve_router(project: Project, routers: dict[Symbol, RouterObject], module: str,
                   expr: Expr | None) -> RouterObject | None:
    symbol = project.index.resolve_expr(module, expr)
    return routers.get(symbol) if symbol.kind == "assign" else None


def _handler(project: Project, table: RouteTable, facts: ModuleFacts, function: FunctionFact,
             decorator: Expr) -> RouteHandler | None:
    func = decorator.func if is_call(decorator) else decorator
    if not isinstance(func, Attribute) or func.attr not in ROUTE_METHODS:
        return None
    router = resolve_router(project, table.routers, facts.module, func.value)
    if router is None:
        return None
    args = decorator.args if is_call(decorator) else []
    kwargs = call_kwargs(decorator) if is_call(decorator) else {}
    if func.attr == "api_route":
        methods = tuple(str(constant(m)).upper() for m in _list_items(kwargs.get("methods"))) or ("GET",)
    else:
        methods = (func.attr.upper(),)
    path = _path_text(args[0] if args else kwargs.get("path"))
    return RouteHandler(facts, function, router, methods, path, decorator, kwargs.get("response_model"),
                        _list_items(kwargs.get("dependencies")))


def _include_calls(facts: ModuleFacts) -> Iterator[tuple[Call, Scope]]:
    """Every `x.include_router(...)` call, with its scope (for loop variables and parameters)."""
    if "include_router" not in facts.mentions:  # most modules: not walked
        return
    scopes: list[Scope] = [(None, facts.events), *((f, f.events) for f in facts.functions)]
    for scope in scopes:
        _, events = scope
        for event in events:
            for node in calls_in(event.value):
                if isinstance(node.func, Attribute) and node.func.attr == "include_router":
                    yield node, scope


def _local_values(name: str, events: list[Event]) -> tuple[Expr, ...]:
    """What a plain name passed to include_router stands for in its scope: the literal items of
    `for r in (a.router, b.router)`, or the values of `r = build_router()` assignments."""
    values: list[Expr] = []
    for event in events:
        if event.kind == "for" and event.target == Name(name):
            values += _list_items(event.value)
        elif event.kind in ("assign", "annassign") and event.target == Name(name) and event.value is not None:
            values.append(event.value)
    return tuple(values)


def _listed_include_calls(facts: ModuleFacts) -> list[tuple[Call, Scope]]:
    return list(_include_calls(facts))


def _inclusions(project: Project, table: RouteTable, facts: ModuleFacts) -> None:
    for call, scope in project.per_module(_listed_include_calls, facts):  # every call of the module looked at
        args, kwargs = call.args, call_kwargs(call)
        child_expr = args[0] if args else kwargs.get("router")
        func = call.func
        assert isinstance(func, Attribute)  # _include_calls yields only `x.include_router(...)`
        parent = resolve_router(project, table.routers, facts.module, func.value)
        function, _ = scope
        for module, child_item, site in _child_candidates(project, table, facts.module, child_expr, scope):
            children = _built_by(project, table, module, child_item)
            if children is None:
                table.unresolved.append((facts.path, call.span.line))
                continue
            prefix = _prefix(kwargs.get("prefix"), function, site)
            for child in children:
                table.inclusions.append(Inclusion(parent.symbol if parent else None, child.symbol, prefix,
                                                  facts.module, _list_items(kwargs.get("dependencies"))))


def _prefix(expr: Expr | None, function: FunctionFact | None, site: Call | None) -> str:
    """`prefix=prefix` inside a helper: the value its caller passes, or the parameter's default."""
    param = next((p for p in function.params if Name(p.name) == expr), None) if function else None
    if param is None:
        return _path_text(expr)
    passed = passed_argument(function, param.name, site) if function and site else None
    return _path_text(passed if passed is not None else param.default)


def _child_candidates(project: Project, table: RouteTable, module: str, child: Expr | None,
                      scope: Scope) -> list[tuple[str, Expr | None, Call | None]]:
    """What an include_router argument can be, each with the module to resolve it in (and the
    call that passed it): itself, the values a local name is given, or, for a parameter, what the
    function's callers pass."""
    function, events = scope
    if not isinstance(child, Name) or resolve_router(project, table.routers, module, child):
        return [(module, child, None)]
    local = _local_values(child.id, events)
    if local:
        return [(module, value, None) for value in local]
    if function is not None and any(p.name == child.id for p in function.params):
        passed = argument_values(project, Symbol("function", module, function.qualname), function, child.id)
        if passed:
            return list(passed)
    return [(module, child, None)]


def _built_by(project: Project, table: RouteTable, module: str, expr: Expr | None,
              depth: int = 0) -> list[RouterObject] | None:
    """The module-level routers an include_router argument can be; None when unknown.

    `include_router(make_router(...))` includes a router the factory builds: a fresh one (no
    module-level router), or whichever module-level routers the factory returns. A library call
    (`fastapi_users.get_auth_router(...)`) builds its own; a project router handed to it counts."""
    router = resolve_router(project, table.routers, module, expr)
    if router is not None:
        return [router]
    if isinstance(expr, (Name, Attribute)) and depth < 3:  # auth_router = lib.get_auth_router()
        symbol = project.index.resolve_expr(module, expr)
        event = project.index.assignment(symbol)
        return _built_by(project, table, symbol.module, event.value, depth + 1) if event else None
    if not is_call(expr):
        return None
    if _library_call(project, module, expr.func):
        found = [resolve_router(project, table.routers, module, arg) for arg in call_args(expr)]
        return [r for r in found if r is not None]
    symbol = project.index.resolve_expr(module, expr.func)
    factory = project.index.function_fact(symbol)
    if factory is None:
        return None
    returned = [e.value for e in factory.events if e.kind == "return"]
    found = [resolve_router(project, table.routers, symbol.module, value) for value in returned]
    return [r for r in found if r is not None]


def _library_call(project: Project, module: str, func: Expr) -> bool:
    """A function of an installed library, or a method of a library object the project made
    (`fastapi_users = FastAPIUsers(...)`): it cannot return one of the project's routers."""
    index = project.index
    callee = index.resolve_expr(module, func)
    if callee.kind == "external":  # getattr(module, name) and import_module(...) can return anything
        return not callee.dotted.startswith(REFLECTION)
    owner = index.resolve_expr(module, func.value) if isinstance(func, Attribute) else None
    event = index.assignment(owner) if owner is not None else None
    return owner is not None and event is not None and is_call(event.value) and \
        index.resolve_expr(owner.module, event.value.func).kind == "external"


def build_route_table(project: Project) -> RouteTable:
    """Project.routes: the routers, their inclusions and handlers."""
    table = RouteTable(routers=_router_objects(project))
    if table.routers:
        for facts in project.modules.values():
            for function in facts.functions:
                for decorator in function.decorators:
                    handler = _handler(project, table, facts, function, decorator)
                    if handler is not None:
                        table.handlers.append(handler)
            _inclusions(project, table, facts)
    for inclusion in table.inclusions:
        table.by_child.setdefault(inclusion.child, []).append(inclusion)
    return table


def mount_paths(table: RouteTable, router: RouterObject) -> list[str]:
    """Every prefix under which a router is served: its include_router chain up to an app."""
    if router.is_app:
        return [router.prefix]
    paths: list[str] = []
    seen: set[Symbol] = set()
    stack: list[tuple[Symbol, str]] = [(router.symbol, router.prefix)]
    while stack:
        current, suffix = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        for inclusion in table.inclusions_of(current):
            parent = table.routers.get(inclusion.parent) if inclusion.parent else None
            joined = inclusion.prefix + suffix
            if parent is None or parent.is_app:
                paths.append((parent.prefix if parent else "") + joined)
            else:
                stack.append((parent.symbol, parent.prefix + joined))
    return sorted(set(paths))


def is_registered(table: RouteTable, router: RouterObject) -> bool:
    return router.is_app or bool(mount_paths(table, router))


def router_dependencies(table: RouteTable, router: RouterObject) -> list[tuple[str, Expr]]:
    """Dependencies every route of `router` gets, each with the module to resolve it in: the
    router's own, those given to include_router, and those of every router it is mounted under."""
    found = [(router.symbol.module, expr) for expr in router.dependencies]
    seen: set[Symbol] = {router.symbol}
    stack = [router.symbol]
    while stack:
        for inclusion in table.inclusions_of(stack.pop()):
            found += [(inclusion.module, expr) for expr in inclusion.dependencies]
            parent = table.routers.get(inclusion.parent) if inclusion.parent else None
            if parent is not None and parent.symbol not in seen:
                seen.add(parent.symbol)
                found += [(parent.symbol.module, expr) for expr in parent.dependencies]
                stack.append(parent.symbol)
    return found
