"""FastAPI dependency trees: what a handler depends on, transitively, across modules.

Followed: `Depends(x)`/`Security(x)` defaults, `Annotated[T, Depends(x)]` parameters, module-level
`Annotated` aliases defined in any module (`WriteSession = Annotated[..., Depends(...)]`),
decorator- and router-level `dependencies=[...]`, class dependencies (their `__init__`), and
dependency functions that depend on others. Cycles are cut; unknown callables end a path.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from layerlint.core.records import record
from layerlint.project.index.annotated import annotated_metadata, annotated_parts
from layerlint.project.index.roles import is_depends_call
from layerlint.project.index.symbols import Symbol
from layerlint.project.orm.sessions import dependency_kind, returns_session
from layerlint.project.reading.expr import (
    Attribute,
    Call,
    Expr,
    Name,
    call_args,
    call_kwargs,
    dotted,
    is_call,
)
from layerlint.project.reading.facts import FunctionFact, ParamFact, Span
from layerlint.project.routing.routes import (
    RouteHandler,
    RouterObject,
    router_dependencies,
)

if TYPE_CHECKING:  # the model builds this analysis; the analysis needs only its type
    from layerlint.project.project import Project

MAX_DEPTH = 12


@record(frozen=True)
class SessionUse:
    kind: str  # "read" or "write"
    path: tuple[str, ...]  # handler -> ... -> the session dependency
    # In the handler's module: the parameter or decorator `Depends(...)` that brings the session in,
    # the line to change; None for a router's dependencies and below the handler.
    origin: Span | None = None

    def render(self) -> str:
        return " -> ".join(self.path)


def _is_depends(project: Project, module: str, expr: Expr | None) -> bool:
    return is_depends_call(project.index, module, expr)


def shared_default(project: Project, module: str, default: Expr | None) -> tuple[str, Expr | None]:
    """A parameter default that names a module-level call (`user: User = CurrentUser` with
    `CurrentUser = Depends(get_current_user)` anywhere): that call, and the module it is in."""
    if not isinstance(default, (Name, Attribute)):
        return module, default
    symbol = project.index.resolve_expr(module, default)
    event = project.index.assignment(symbol)
    if event is None or not is_call(event.value):
        return module, default
    return symbol.module, event.value


def default_provider(project: Project, module: str, param: ParamFact) -> tuple[str, Expr | None] | None:
    """What a `Depends(...)` default (also a shared one, `user = CurrentUser`) calls, with the module
    to resolve it in: its argument, or the parameter's annotation for a bare `Depends()`."""
    where, default = shared_default(project, module, param.default)
    if not (is_call(default) and _is_depends(project, where, default)):
        return None
    target = _depends_target(default)
    return (where, target) if target else (module, param.annotation)


def _depends_target(expr: Call) -> Expr | None:
    args, kwargs = call_args(expr), call_kwargs(expr)
    return args[0] if args else kwargs.get("dependency")


class DependencyResolver:
    def __init__(self, project: Project) -> None:
        self.project = project
        config = project.config
        self.read = frozenset(config.read_sessions)
        self.write = frozenset(config.write_sessions)
        self._uses_of: dict[Symbol, tuple[SessionUse, ...]] = {}

    def session_kind(self, symbol: Symbol) -> str | None:
        """"read" or "write" for the configured session dependencies."""
        return dependency_kind(symbol, self.read, self.write)

    # ------------------------------------------------------------------ entry points

    def handler_sessions(self, handler: RouteHandler) -> tuple[SessionUse, ...]:
        module = handler.module.module
        uses: list[tuple[Span | None, SessionUse]] = [(param.span, use) for param in handler.function.params
                for use in self._param_uses(module, param, frozenset())]
        uses += [(expr.span, use) for expr in handler.dependencies if isinstance(expr, Call)
                 for use in self._depends_uses(module, expr)]
        router = self.project.router_sessions.get(handler.router.symbol)
        uses += [(None, use) for use in (self.router_sessions(handler.router) if router is None else router)]
        return tuple(SessionUse(u.kind, (handler.function.name, *u.path), origin) for origin, u in uses)

    def router_sessions(self, router: RouterObject) -> tuple[SessionUse, ...]:
        """The sessions every route of `router` gets through the router's dependencies (its own,
        those given to include_router, and its parents'), each resolved in the module declaring it."""
        return tuple(use for where, expr in router_dependencies(self.project.routes, router)
                     for use in self._depends_uses(where, expr))

    def _depends_uses(self, module: str, expr: Expr) -> list[SessionUse]:
        if isinstance(expr, Call) and _is_depends(self.project, module, expr):
            return self._callable_uses(module, _depends_target(expr), frozenset())
        return []

    # ------------------------------------------------------------------ walking

    def _function_uses(self, module: str, function: FunctionFact, seen: frozenset[Symbol]) -> list[SessionUse]:
        return [use for param in function.params for use in self._param_uses(module, param, seen)]

    def _param_uses(self, module: str, param: ParamFact, seen: frozenset[Symbol]) -> list[SessionUse]:
        uses: list[SessionUse] = []
        provider = default_provider(self.project, module, param)
        if provider is not None:
            uses += self._callable_uses(*provider, seen)
        uses += self._annotation_uses(module, param.annotation, seen)
        return uses

    def _annotation_uses(self, module: str, annotation: Expr | None, seen: frozenset[Symbol]) -> list[SessionUse]:
        if annotation is None:
            return []
        parts = annotated_parts(self.project.index, module, annotation)
        if parts is not None:
            uses: list[SessionUse] = []
            for item in parts[1]:
                if is_call(item) and _is_depends(self.project, module, item):
                    uses += self._callable_uses(module, _depends_target(item) or parts[0], seen)
            return uses
        symbol = self.project.index.resolve_expr(module, annotation)
        if symbol.kind != "assign" or symbol in seen:
            return []
        event = self.project.index.assignment(symbol)
        if event is None:
            return []
        inner = self._annotation_uses(symbol.module, event.value, seen | {symbol})
        return [SessionUse(u.kind, (symbol.name, *u.path)) for u in inner]

    def _callable_uses(self, module: str, target: Expr | None, seen: frozenset[Symbol]) -> list[SessionUse]:
        symbol = self.project.index.resolve_expr(module, target)
        if not symbol.known or symbol in seen or len(seen) > MAX_DEPTH:
            return []
        name = symbol.dotted.rsplit(".", 1)[-1]
        kind = self.session_kind(symbol)
        if kind is not None:
            return [SessionUse(kind, (name,))]
        if symbol in self._uses_of:
            return [SessionUse(u.kind, (name, *u.path)) for u in self._uses_of[symbol]]
        function = self._callable_function(symbol)
        if function is None:
            return []
        found = self._function_uses(symbol.module, function, seen | {symbol})
        if not seen:
            self._uses_of[symbol] = tuple(found)
        return [SessionUse(u.kind, (name, *u.path)) for u in found]

    def _callable_function(self, symbol: Symbol) -> FunctionFact | None:
        if symbol.kind == "function":
            return self.project.index.function_fact(symbol)
        if symbol.kind == "class":
            found = self.project.index.method(symbol, "__init__")
            return found[1] if found else None
        return None


def has_session_split(project: Project) -> bool:
    """Project.session_split: both a read and a write session dependency are defined or used: the
    project splits them. (Defined counts too: a project whose handlers all take the write session
    still has a reader.)"""
    resolver = project.dependencies
    kinds = {resolver.session_kind(Symbol("function", facts.module, function.qualname))
             for facts in project.modules.values() for function in facts.functions
             if function.class_name is None and not function.nested}
    if not {"read", "write"} <= kinds:  # the handlers' dependency chains only when defining is not enough
        kinds |= {use.kind for handler in project.routes.handlers for use in resolver.handler_sessions(handler)}
    return {"read", "write"} <= kinds


def session_kind_label(uses: tuple[SessionUse, ...]) -> str:
    kinds = {u.kind for u in uses}
    return "both" if kinds == {"read", "write"} else (kinds.pop() if kinds else "none")


def unconfigured_session_providers(project: Project) -> list[str]:
    """Module-level functions that yield or return a database session (`async def get_db() ->
    AsyncIterator[AsyncSession]`) when no function is a configured read or write session
    dependency: the project names its own, and its read/write split cannot be seen until told."""
    resolver = project.dependencies
    if any(resolver.session_kind(Symbol("function", facts.module, function.qualname)) is not None
           for facts in project.modules.values() for function in facts.functions
           if function.class_name is None and not function.nested):
        return []
    return sorted(f"{module}.{name}" for module, name in session_providers(project))


def session_providers(project: Project) -> list[tuple[str, str]]:
    """(module, name) of every module-level function that yields or returns a database session."""
    return [(facts.module, function.qualname) for facts in project.modules.values() for function in facts.functions
            if function.class_name is None and not function.nested
            and returns_session(project.index, facts.module, function)]


NOT_BODY = frozenset({"Depends", "Security", "Query", "Path", "Header", "Cookie"})


def _names_non_body(expr: Expr | None) -> bool:
    return is_call(expr) and (dotted(expr.func) or "").rsplit(".", 1)[-1] in NOT_BODY


def is_body_parameter(project: Project, module: str, param: ParamFact) -> bool:
    """Is a route parameter read from the request body? Not when its default or its `Annotated`
    metadata (also through aliases in any module) is `Depends`/`Query`/`Path`/... ."""
    if _names_non_body(shared_default(project, module, param.default)[1]):
        return False
    return not any(_names_non_body(m) for m in annotated_metadata(project.index, module, param.annotation))


def find_request_bodies(project: Project) -> frozenset[Symbol]:
    """Project.request_bodies: the classes some route takes as its body, also through a
    dependency: FastAPI reads a dependency function's parameters as it reads the handler's, so a
    pydantic parameter of `Depends(get_field_create)`'s function is the route's body too."""
    found: set[Symbol] = set()
    type_resolver = project.types
    for module, function in _route_functions(project):
        for param in function.params:
            if not is_body_parameter(project, module, param):
                continue
            declared = type_resolver.annotation(module, param.annotation)
            if declared is not None:
                found.update(s for s in declared.classes() if s.kind == "class")
    return frozenset(found)


def _route_functions(project: Project) -> Iterator[tuple[str, FunctionFact]]:
    """Every route handler, and every project function its parameters' `Depends(...)` call (a
    dependency's own dependencies too), each once, with its module."""
    pending = [(handler.module.module, handler.function) for handler in project.routes.handlers]
    seen: set[int] = set()
    while pending:
        module, function = pending.pop()
        if id(function) in seen:
            continue
        seen.add(id(function))
        yield module, function
        for param in function.params:
            pending += _param_dependencies(project, module, param)


def _param_dependencies(project: Project, module: str, param: ParamFact) -> list[tuple[str, FunctionFact]]:
    """The project functions a parameter's `Depends(f)` default or `Annotated[T, Depends(f)]` names."""
    provider = default_provider(project, module, param)
    targets = [provider] if provider is not None else []
    parts = annotated_parts(project.index, module, param.annotation)
    if parts is not None:
        targets += [(module, _depends_target(item) or parts[0]) for item in parts[1]
                    if is_call(item) and _is_depends(project, module, item)]
    found = []
    for where, target in targets:
        symbol = project.index.resolve_expr(where, target)
        function = project.index.function_fact(symbol) if symbol.kind == "function" else None
        if function is not None:
            found.append((symbol.module, function))
    return found
