"""Shared by the service and async rules (LL5xx, LL6xx): layer classes, what a method touches."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from layerlint.project.index.symbols import Symbol
from layerlint.project.index.types import (
    TypeRef,
    TypeResolver,
    last_assignment,
)
from layerlint.project.orm.sessions import (
    SESSION_NAMES,
    is_session_attribute,
    session_parameters,
)
from layerlint.project.project import Project
from layerlint.project.reading.expr import (
    Attribute,
    Call,
    Expr,
    Name,
    call_arguments,
    dotted,
    walk,
)
from layerlint.project.reading.facts import FunctionFact, ModuleFacts

LAYER_ROLES = ("repository", "service")
_SUFFIXES = {"Repository": "repository", "Service": "service"}


@dataclass(frozen=True)
class Method:
    facts: ModuleFacts
    function: FunctionFact
    cls: TypeRef  # the class the method belongs to

    @property
    def public(self) -> bool:
        return not self.function.name.startswith("_")


def types(project: Project) -> TypeResolver:
    return project.types


def layer_of(project: Project, symbol: Symbol) -> str | None:
    """"repository" or "service" for a class of that layer (by its module's role or its name)."""
    if symbol.kind != "class":
        return None
    role = project.role(symbol.module)
    if role in LAYER_ROLES:
        return role
    return _SUFFIXES.get(next((s for s in _SUFFIXES if symbol.name.endswith(s)), ""))


def methods(project: Project, *roles: str) -> Iterator[Method]:
    """Methods (not nested functions) of the classes defined in modules with these roles."""
    for facts in project.checked(*roles):
        for function in facts.functions:
            if function.class_name is not None and not function.nested:
                yield Method(facts, function, TypeRef(Symbol("class", facts.module, function.class_name)))


def module_functions(project: Project, *roles: str) -> Iterator[tuple[ModuleFacts, FunctionFact]]:
    """Public module-level functions of modules with these roles: a function-style layer
    (`def get(*, db_session, item_id) -> Item` in a `service.py`)."""
    for facts in project.checked(*roles):
        for function in facts.functions:
            if function.class_name is None and not function.nested and not function.name.startswith("_"):
                yield facts, function


def decorated_with(function: FunctionFact, *names: str) -> bool:
    return any((dotted(d.func if isinstance(d, Call) else d) or "").rsplit(".", 1)[-1] in names
               for d in function.decorators)


def expressions(function: FunctionFact) -> Iterator[Expr]:
    for event in function.events:
        for expr in (event.target, event.value):
            if expr is not None:
                yield from walk(expr)


def self_attribute(expr: Expr) -> str | None:
    """`attr` for `self.attr`."""
    return expr.attr if isinstance(expr, Attribute) and expr.value == Name("self") else None


class SessionKeys:
    """Which session an expression uses: `self.session`, a session parameter, or a repository
    built from one. Keys compare equal when the same session object is meant."""

    def __init__(self, project: Project, method: Method) -> None:
        self.project = project
        self.method = method
        self.types = types(project)
        self.sessions = session_parameters(project.index, method.facts.module, method.function)

    def of_attribute(self, name: str) -> str | None:
        """`self.name`: a session attribute, or a repository constructed in `__init__` from one."""
        found = None if name in SESSION_NAMES else self.types.attribute(self.method.cls, name)
        if is_session_attribute(name, found):
            return self._init_origin(name) or f"self.{name}"
        if found is not None and layer_of(self.project, found.symbol) == "repository":
            return self._constructed_from(name)
        return None

    def _init_value(self, name: str) -> tuple[FunctionFact, Expr] | None:
        for owner in self.project.index.mro(self.method.cls.symbol):
            init = self.project.index.function_fact(Symbol("function", owner.module, f"{owner.name}.__init__"))
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
        found = self._init_value(name)
        if found is None:
            return None
        init, call = found
        if not isinstance(call, Call):
            return None
        init_sessions = session_parameters(self.project.index, self.method.facts.module, init)
        for arg in call_arguments(call):
            if isinstance(arg, Name) and arg.id in init_sessions:
                return f"init:{arg.id}"
            attribute = self_attribute(arg)
            if attribute is not None and is_session_attribute(attribute, None):
                return self._init_origin(attribute) or f"self.{attribute}"
        return None

    def of_local(self, expr: Expr, depth: int = 0) -> str | None:
        """A session parameter, `self.<session>`, or a repository built from one of them."""
        if isinstance(expr, Name) and expr.id in self.sessions:
            return f"init:{expr.id}" if self.method.function.name == "__init__" else f"param:{expr.id}"
        attribute = self_attribute(expr)
        if attribute is not None:
            return self.of_attribute(attribute)
        if depth >= 3:
            return None
        built = expr
        if isinstance(expr, Name):
            assigned = last_assignment(self.method.function.events, expr.id, 10**9)
            built = assigned.value if assigned is not None and assigned.value is not None else expr
        return self._built_from(built, depth) if isinstance(built, Call) else None

    def _built_from(self, call: Call, depth: int) -> str | None:
        """`ItemRepository(session)`: the session a repository is constructed with."""
        symbol = self.project.index.resolve_expr(self.method.facts.module, call.func)
        if layer_of(self.project, symbol) != "repository":
            return None
        for arg in call_arguments(call):
            key = self.of_local(arg, depth + 1)
            if key is not None:
                return key
        return None
