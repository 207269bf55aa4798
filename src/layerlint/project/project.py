"""The project as rules see it: facts of every module, names resolved, roles assigned, the graph,
and the framework analyses (routes, sessions, types, table models, queries), each built on first use.

Every analysis is a typed attribute built once per run and only when read: rule workers fork
and each builds only what its rules read (see rule_pool). The analyses live in their own
modules, imported here when first built (they import this module for the `Project` type).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar, cast

from layerlint.core.config import Config
from layerlint.project.facts import ModuleFacts
from layerlint.project.graph import ImportGraph
from layerlint.project.imports import defining_modules
from layerlint.project.roles import Role, RoleAssigner
from layerlint.project.symbols import Symbol, SymbolIndex

if TYPE_CHECKING:
    from layerlint.project.call_sites import CallSites
    from layerlint.project.dependencies import DependencyResolver
    from layerlint.project.model_fields import ModelFields
    from layerlint.project.routes import RouteTable
    from layerlint.project.soft_delete import SessionCalls
    from layerlint.project.soft_delete_filters import FilterHelpers
    from layerlint.project.types import TypeResolver

T = TypeVar("T")


@dataclass
class Project:
    config: Config
    modules: dict[str, ModuleFacts]
    index: SymbolIndex = field(init=False)
    # Analyses defined outside the model (rule helpers), by their builder: see `derived`.
    _derived: dict[Callable[[Project], object], object] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.index = SymbolIndex(self.modules)

    @classmethod
    def build(cls, config: Config, facts: list[ModuleFacts]) -> Project:
        modules: dict[str, ModuleFacts] = {}
        for module_facts in facts:
            modules.setdefault(module_facts.module, module_facts)
        return cls(config, modules)

    @cached_property
    def roles(self) -> dict[str, Role]:
        return RoleAssigner(self.index, self.config).assign()

    @cached_property
    def graph(self) -> ImportGraph:
        """Syntactic import edges, exactly as grimp and import-linter see them."""
        return ImportGraph(self.modules)

    @cached_property
    def dependency_graph(self) -> ImportGraph:
        """Edges to the modules that define what is imported, for architectural chains."""
        return ImportGraph(self.modules, lambda item: defining_modules(self.index, item))

    @cached_property
    def noqa_by_path(self) -> dict[str, dict[int, list[str]]]:
        """Each file's `# noqa` comments by line, for the diagnostics located in it."""
        return {facts.path: facts.noqa for facts in self.modules.values()}

    def role(self, module: str) -> str | None:
        role = self.roles.get(module)
        return role.role if role else None

    def modules_with_role(self, *roles: str) -> list[ModuleFacts]:
        return [facts for name, facts in self.modules.items() if self.role(name) in roles]

    # ------------------------------------------------------------------ FastAPI

    @cached_property
    def routes(self) -> RouteTable:
        """Routers, apps, their inclusions and every route handler."""
        from layerlint.project.routes import build_route_table

        return build_route_table(self)

    @cached_property
    def dependencies(self) -> DependencyResolver:
        """The sessions each handler reaches through its `Depends` chain."""
        from layerlint.project.dependencies import DependencyResolver

        return DependencyResolver(self)

    @cached_property
    def session_split(self) -> bool:
        """Both a read and a write session dependency are defined or used."""
        from layerlint.project.dependencies import has_session_split

        return has_session_split(self)

    @cached_property
    def call_sites(self) -> CallSites:
        """Where each project function is called."""
        from layerlint.project.call_sites import CallSites

        return CallSites(self)

    # ------------------------------------------------------------------ types

    @cached_property
    def types(self) -> TypeResolver:
        """The inferred type of an expression (its inferred returns are cached)."""
        from layerlint.project.types import TypeResolver

        return TypeResolver(self.index)

    # ------------------------------------------------------------------ SQLAlchemy / SQLModel

    @cached_property
    def table_models(self) -> list[Symbol]:
        """Every table model of the project, in path order."""
        from layerlint.project.models import find_table_models

        return find_table_models(self)

    @cached_property
    def tables(self) -> list[Symbol]:
        """Table models that have a table of their own."""
        from layerlint.project.models import has_own_table

        return [model for model in self.table_models if has_own_table(self.index, model)]

    @cached_property
    def model_fields(self) -> ModelFields:
        """Each model's column-like fields, inherited ones included."""
        from layerlint.project.model_fields import ModelFields

        return ModelFields(self.index)

    @cached_property
    def soft_delete_models(self) -> frozenset[Symbol]:
        """Table models with the soft-delete column."""
        from layerlint.project.soft_delete import find_soft_delete_models

        return find_soft_delete_models(self)

    @cached_property
    def session_calls(self) -> SessionCalls:
        """Each function's session calls, with the statement or model each works on."""
        from layerlint.project.soft_delete import SessionCalls

        return SessionCalls(self)

    @cached_property
    def filter_helpers(self) -> FilterHelpers:
        """Which project functions and hybrid properties apply the soft-delete filter."""
        from layerlint.project.soft_delete_filters import FilterHelpers

        return FilterHelpers()

    @cached_property
    def global_filters(self) -> list[str]:
        """Modules whose session event listeners apply `with_loader_criteria` to every query."""
        from layerlint.project.soft_delete import find_global_filters

        return find_global_filters(self)

    @cached_property
    def unconfigured_base(self) -> tuple[str, int] | None:
        """The configured base repository does not exist, but repositories share another."""
        from layerlint.project.repositories import find_unconfigured_base

        return find_unconfigured_base(self)

    # ------------------------------------------------------------------ the rules' own analyses

    def derived(self, build: Callable[[Project], T]) -> T:
        """An analysis defined outside the model (by the rules), built by `build` once per run."""
        if build not in self._derived:
            self._derived[build] = build(self)
        return cast(T, self._derived[build])

    def built_analyses(self) -> set[str]:
        """The names of the analyses built so far (what a rule read, for its declaration's test)."""
        lazy = {name for name, value in vars(type(self)).items() if isinstance(value, cached_property)}
        return (lazy & vars(self).keys()) | {getattr(build, "__name__", repr(build)) for build in self._derived}
