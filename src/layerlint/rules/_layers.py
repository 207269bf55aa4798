"""Shared by the service and async rules (LL5xx, LL6xx): layer classes, what a method touches.

Which session an expression is, is `FunctionSessions`' (project/orm/sessions.py), as for every rule."""

from __future__ import annotations

from collections.abc import Iterator

from layerlint.core.records import record
from layerlint.project.index.symbols import Symbol
from layerlint.project.index.types import TypeRef, TypeResolver
from layerlint.project.orm.repositories import is_repository_class
from layerlint.project.project import Project
from layerlint.project.reading.expr import Call, Expr, dotted, walk
from layerlint.project.reading.facts import FunctionFact, ModuleFacts

LAYER_ROLES = ("repository", "service")


@record(frozen=True)
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
    if is_repository_class(project, symbol):  # the one test the session analysis asks too
        return "repository"
    return "service" if project.role(symbol.module) == "service" or symbol.name.endswith("Service") else None


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


