"""Each module's architectural role, and why: configuration, then the default layout, then content."""

from __future__ import annotations

from dataclasses import dataclass

from layerlint.core.config import ROLE_NAMES, Config, ConfigError
from layerlint.core.globs import match_module
from layerlint.project.index.symbols import Symbol, SymbolIndex
from layerlint.project.reading.expr import Subscript, dotted, is_call
from layerlint.project.reading.facts import ModuleFacts

ROUTER_CLASSES = frozenset({"fastapi.APIRouter", "fastapi.routing.APIRouter", "fastapi.FastAPI",
                            "fastapi.applications.FastAPI"})
APP_CLASSES = frozenset({"fastapi.FastAPI", "fastapi.applications.FastAPI"})
ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "api_route",
                           "websocket", "trace"})


@dataclass(frozen=True)
class Role:
    role: str | None
    reason: str


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


class RoleAssigner:
    def __init__(self, index: SymbolIndex, config: Config) -> None:
        self.index = index
        self.config = config

    def assign(self) -> dict[str, Role]:
        roles = {name: self._role_of(facts) for name, facts in self.index.modules.items()}
        self._check_configured_globs()
        return roles

    def _check_configured_globs(self) -> None:
        for role in ROLE_NAMES:
            for glob in self.config.configured_role_globs(role):
                if not any(match_module(glob, name) for name in self.index.modules):
                    raise ConfigError(self.config.file, f"roles.{role}",
                                      f"glob `{glob}` matches no module of the project")

    def _role_of(self, facts: ModuleFacts) -> Role:
        for role in ROLE_NAMES:
            for glob in self.config.configured_role_globs(role):
                if match_module(glob, facts.module):
                    return Role(role, f"configured glob `{glob}` (roles.{role})")
        for role in ROLE_NAMES:
            if self.config.configured_role_globs(role):
                continue
            for glob in self.config.role_globs(role):
                if match_module(glob, facts.module):
                    return Role(role, f"default layout `{glob}`")
        return self._role_from_content(facts)

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
        from layerlint.project.index.models import (
            is_table_model,  # late: models builds on roles' index
        )

        for cls in facts.classes:
            symbol = Symbol("class", facts.module, cls.qualname)
            if is_table_model(self.index, symbol):
                return Role("model", f"defines table model `{cls.name}`")
        base = self.config.base_repository.split(".")[-1]
        for cls in facts.classes:
            if cls.name == base:
                return Role("repository", f"defines the base repository `{cls.name}`")
            if self.index.inherits_from(Symbol("class", facts.module, cls.qualname), {base}):
                return Role("repository", f"`{cls.name}` derives from `{base}`")
        for cls in facts.classes:
            if cls.name.endswith("Service") and cls.qualname == cls.name:
                return Role("service", f"defines service class `{cls.name}`")
        return Role(None, "no glob or content matched")

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
