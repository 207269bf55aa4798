"""The project as rules see it: facts of every module, names resolved, roles assigned, the graph,
and the framework analyses (routes, sessions, types, table models, queries), each built on first use.

Every analysis is a typed attribute built once per run and only when read: rule workers fork
and each builds only what its rules read (see rule_pool). The analyses live in their own
modules, imported here when first built (they import this module for the `Project` type).
Each names the analyses its building reads (`needs`), so a rule declares only what it reads
itself and `needed_analyses` gives the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar, cast

from layerlint.core.closure import reached
from layerlint.core.config import Config
from layerlint.core.records import field, record
from layerlint.project.index.graph import ImportGraph
from layerlint.project.index.imports import defining_modules
from layerlint.project.index.kept import Kept, KeptResults
from layerlint.project.index.name_reach import NameReach
from layerlint.project.index.pydantic_models import is_dto
from layerlint.project.index.roles import Role, RoleAssigner
from layerlint.project.index.symbols import Symbol, SymbolIndex
from layerlint.project.index.type_only import definition_uses, used_only_as_type
from layerlint.project.reading.facts import ImportFact, ModuleFacts
from layerlint.project.reading.lazy import LazyModules

if TYPE_CHECKING:
    from layerlint.project.index.types import TypeResolver
    from layerlint.project.orm.model_fields import ModelFields
    from layerlint.project.orm.sessions import SessionProviders
    from layerlint.project.orm.soft_delete import GenericUsers, SessionCalls
    from layerlint.project.orm.soft_delete_filters import FilterHelpers
    from layerlint.project.routing.call_sites import CallSites
    from layerlint.project.routing.dependencies import DependencyResolver, SessionUse
    from layerlint.project.routing.routes import RouteHandler, RouteTable

T = TypeVar("T")


class Analysis(cached_property[T]):
    """A lazily built analysis of the project, with the analyses its building reads."""

    def __init__(self, build: Callable[[Any], T], needs: tuple[str, ...], incremental: bool, local: bool,
                 whole: bool, given_whole: bool) -> None:
        super().__init__(build)
        self.needs = needs
        self.incremental = incremental
        self.local = local
        self.whole = whole
        self.given_whole = given_whole


def analysis(*needs: str, incremental: bool = False, local: bool = False, whole: bool = False,
             given_whole: bool = False) -> Callable[[Callable[[Any], T]], Analysis[T]]:
    """Decorate a Project method that builds an analysis; `needs`: the analyses it reads.
    `incremental`: built empty and filled one question at a time (a function's calls, a model's
    fields), so two processes that read it repeat only the questions both ask; the others are
    built whole when first read (the route table scans every module). `local`: what it answers
    about a module depends only on that module's import closure (the modules it imports,
    transitively, and their packages), not on modules that import it or are unrelated to it.
    `whole`: a project-wide result (the route table, the table models) that a module's findings
    may read any part of; the check cache keys them by a fingerprint of all of it. `given_whole`:
    local once the `whole` analyses are given (what it answers about a module depends on the
    module's closure and on whole results, such as a handler's router dependencies)."""
    return lambda build: Analysis(build, needs, incremental, local, whole, given_whole)


@record
class Project:
    config: Config
    # Module name -> facts, in file order; a LazyModules decodes each module when first read.
    modules: Mapping[str, ModuleFacts]
    index: SymbolIndex = field(init=False)
    # The modules whose findings are asked for (None: every module). Module-scope rules iterate
    # these alone (`checked`), while every analysis still reads the whole project: a module's
    # findings are the same with any focus that includes it (tests/test_module_locality.py).
    focus: frozenset[str] | None = field(default=None, init=False)
    # Analyses defined outside the model (rule helpers), by their builder: see `derived`.
    _derived: dict[Callable[[Project], object], object] = field(default_factory=dict, init=False, repr=False)
    # What earlier runs computed per module (the check cache's), for the `Kept` functions.
    kept: KeptResults | None = field(default=None, init=False, repr=False)
    # What `per_module` computed, by function and facts (held, so that an id is not reused).
    _per_module: dict[tuple[Callable[[ModuleFacts], object], int], tuple[ModuleFacts, object]] = field(
        default_factory=dict, init=False, repr=False)
    # What `per_closure` computed, by what and module; and what the last project computed for
    # the modules an edit could not reach (`carry_over`).
    _per_closure: dict[tuple[str, str], object] = field(default_factory=dict, init=False, repr=False)
    _closure_kept: dict[tuple[str, str], object] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.index = SymbolIndex(self.modules)

    @classmethod
    def build(cls, config: Config, facts: Iterable[ModuleFacts] | LazyModules) -> Project:
        """The project of these facts; the first module of a name wins."""
        if isinstance(facts, LazyModules):
            return cls(config, facts)
        modules: dict[str, ModuleFacts] = {}
        for module_facts in facts:
            modules.setdefault(module_facts.module, module_facts)
        return cls(config, modules)

    def carry_over(self, previous: Project) -> None:
        """Take over from `previous`, a project of the same modules with some of their facts
        changed (the language server's last one), what those changes cannot change: what
        `per_module` computed from the facts of each module whose facts are the same object, the
        syntactic import edges of those modules, and what `per_closure` computed for each module
        whose import closure holds none of the others."""
        self._per_module = {key: held for key, held in previous._per_module.items()
                            if self.modules.get(held[0].module) is held[0]}
        if previous.modules.keys() != self.modules.keys():
            return
        if "graph" in vars(previous):
            # A syntactic edge depends on the importing module's facts and which modules exist:
            # finding every module's edges again after each edit was 40% of the language server's
            # work to tell which findings an edit can move.
            self.graph.take_edges(previous.graph, lambda name: self.modules[name] is previous.modules[name])
        if previous._per_closure:
            edited = {name for name in self.modules if self.modules[name] is not previous.modules[name]}
            touched = self.importing(edited)
            self._closure_kept = {key: held for key, held in previous._per_closure.items() if key[1] not in touched}

    def importing(self, modules: set[str]) -> set[str]:
        """`modules` and every module whose import closure holds one of them: through the
        syntactic imports and the parent packages, what a local analysis may read."""
        importers = self._closure_importers
        return reached(modules, lambda name: importers.get(name, ()))

    @cached_property
    def _closure_importers(self) -> dict[str, set[str]]:
        """The reverse of a closure's steps (imports and parent packages), built once per project:
        the language server asks twice per edit (`carry_over`, then `live._reaching`)."""
        importers: dict[str, set[str]] = {}
        for name, edges in self.graph.edges_from.items():
            for edge in edges:
                importers.setdefault(edge.imported, set()).add(name)
        for name in self.modules:
            parts = name.split(".")
            for end in range(1, len(parts)):
                importers.setdefault(".".join(parts[:end]), set()).add(name)
        return importers

    def per_closure(self, what: str, facts: ModuleFacts, compute: Callable[[ModuleFacts], T]) -> T:
        """`compute(facts)`, named `what`, for a `compute` whose answer depends on the module's
        import closure alone (a role from content, the table models a module defines), once per
        module: the language server's next project keeps it for every module whose closure holds
        no edited module (`carry_over`)."""
        key = (what, facts.module)
        if key not in self._per_closure:
            kept = self._closure_kept.get(key, _NOT_KEPT)
            self._per_closure[key] = compute(facts) if kept is _NOT_KEPT else kept
        return cast(T, self._per_closure[key])

    def per_module(self, compute: Callable[[ModuleFacts], T], facts: ModuleFacts) -> T:
        """`compute(facts)`, for a `compute` that reads those facts and nothing else, once per
        facts: the next project of the language server keeps it for every module whose facts
        did not change (`carry_over`)."""
        key = (compute, id(facts))
        held = self._per_module.get(key)
        if held is None or held[0] is not facts:
            held = self._per_module[key] = (facts, self._computed(compute, facts))
        return cast(T, held[1])

    def _computed(self, compute: Callable[[ModuleFacts], T], facts: ModuleFacts) -> T:
        """`compute(facts)`; for a `Kept` one, what an earlier run kept when the facts are the same."""
        if self.kept is None or not isinstance(compute, Kept):
            return compute(facts)
        stored = self.kept.get(compute.name, facts.path)
        if stored is not None:
            try:
                return cast(T, compute.decode(stored))
            except (TypeError, ValueError):  # not what `encode` gives: computed again, and kept
                pass
        value: T = compute(facts)
        self.kept.put(compute.name, facts.path, compute.encode(value))
        return value

    def in_focus(self, module: str) -> bool:
        """Whether findings in `module` are asked for (see `focus`)."""
        return self.focus is None or module in self.focus

    def decode_all(self) -> None:
        """Decode every module's facts now (they are decoded when first read otherwise), and read
        them from a plain dict from then on: the index asks whether a name is a module about 100
        times per module, and a Mapping's `in` is a Python call. Called before anything reads."""
        if isinstance(self.modules, LazyModules):
            self.modules = self.index.modules = dict(self.modules.items())

    @analysis("graph", local=True)
    def roles(self) -> dict[str, Role]:
        """Each module's role. Decided over the whole project (a configured glob must match some
        module; a package's content corrects a guess by name), so it is an input of every
        module's closure, not built from the closure alone: `local` holds given the roles."""
        return RoleAssigner(self.index, self.config, self.per_closure, lambda: self.graph).assign()

    @analysis(local=True)
    def graph(self) -> ImportGraph:
        """Syntactic import edges, exactly as grimp and import-linter see them."""
        return ImportGraph(self.modules)

    @analysis(local=True)
    def dependency_graph(self) -> ImportGraph:
        """Edges to the modules that define what is imported, for architectural chains: only the
        imports a module uses at run time (one it uses only as a type gives it nothing to call),
        and not those of a DTO, which reach no repository where a module holds both. A table model
        stays an edge: an active-record model is the way to the database (`Trade.get_trades()`)."""
        def runs(facts: ModuleFacts, item: ImportFact) -> bool:
            if item.kind == "from" and is_dto(self.index, self.index.resolve_import(item)):
                return False
            return not used_only_as_type(self.index, facts.module, item,
                                         self.per_module(definition_uses, facts).owners.values())

        return ImportGraph(self.modules, lambda item: defining_modules(self.index, item), runs)

    @analysis(local=True)
    def name_reach(self) -> NameReach:
        """Which imports of a module each of its names needs, for chains that follow names."""
        return NameReach(self.index, lambda facts: self.per_module(definition_uses, facts))

    @cached_property
    def noqa_by_path(self) -> dict[str, dict[int, list[str]]]:
        """Each file's `# noqa` comments by line, for the diagnostics located in it."""
        return {facts.path: facts.noqa for facts in self.modules.values()}

    def role(self, module: str) -> str | None:
        role = self.roles.get(module)
        return role.role if role else None

    def modules_with_role(self, *roles: str) -> list[ModuleFacts]:
        return [facts for name, facts in self.modules.items() if self.role(name) in roles]

    def checked(self, *roles: str) -> list[ModuleFacts]:
        """The modules a module-scope rule reports on: those in the focus, with one of `roles`
        when any are given. Analyses read `modules` and `modules_with_role`, never this."""
        focus = self.focus
        return [facts for name, facts in self.modules.items()
                if (focus is None or name in focus) and (not roles or self.role(name) in roles)]

    # ------------------------------------------------------------------ FastAPI

    def checked_handlers(self) -> list[RouteHandler]:
        """The route handlers a module-scope rule reports on: those defined in the focus."""
        return [handler for handler in self.routes.handlers if self.in_focus(handler.module.module)]

    @analysis("call_sites", whole=True)
    def routes(self) -> RouteTable:
        """Routers, apps, their inclusions and every route handler."""
        from layerlint.project.routing.routes import build_route_table

        return build_route_table(self)

    @analysis("routes", "router_sessions", incremental=True, given_whole=True)
    def dependencies(self) -> DependencyResolver:
        """The sessions each handler reaches through its `Depends` chain."""
        from layerlint.project.routing.dependencies import DependencyResolver

        return DependencyResolver(self)

    @analysis("dependencies", "routes", whole=True)
    def router_sessions(self) -> dict[Symbol, tuple[SessionUse, ...]]:
        """The sessions each router's dependencies bring to all its routes. Whole: the
        `include_router(..., dependencies=[...])` that gives them is in a module that imports the
        handler's, outside its closure; the rest of a handler's chain is in its closure."""
        resolver = self.dependencies
        return {symbol: resolver.router_sessions(router) for symbol, router in self.routes.routers.items()}

    @analysis("dependencies", "routes", whole=True)
    def session_split(self) -> bool:
        """Both a read and a write session dependency are defined or used."""
        from layerlint.project.routing.dependencies import has_session_split

        return has_session_split(self)

    @analysis("routes", "types", whole=True)
    def request_bodies(self) -> frozenset[Symbol]:
        """The classes some route takes as its body. Whole: the routes that take a class import
        its module, so they are outside its closure."""
        from layerlint.project.routing.dependencies import find_request_bodies

        return find_request_bodies(self)

    @analysis(incremental=True)
    def call_sites(self) -> CallSites:
        """Where each project function is called."""
        from layerlint.project.routing.call_sites import CallSites

        return CallSites(self)

    # ------------------------------------------------------------------ types

    @analysis(incremental=True, local=True)
    def types(self) -> TypeResolver:
        """The inferred type of an expression (its inferred returns are cached)."""
        from layerlint.project.index.types import TypeResolver

        return TypeResolver(self.index)

    # ------------------------------------------------------------------ SQLAlchemy / SQLModel

    @analysis(whole=True)
    def table_models(self) -> list[Symbol]:
        """Every table model of the project, in path order."""
        from layerlint.project.index.models import find_table_models

        return find_table_models(self)

    @analysis("table_models", whole=True)
    def tables(self) -> list[Symbol]:
        """Table models that have a table of their own."""
        from layerlint.project.index.models import has_own_table

        return [model for model in self.table_models if has_own_table(self.index, model)]

    @analysis(incremental=True, given_whole=True)
    def model_fields(self) -> ModelFields:
        """Each model's column-like fields, inherited ones included."""
        from layerlint.project.orm.model_fields import ModelFields

        return ModelFields(self.index)

    @analysis("table_models", whole=True)
    def soft_delete_models(self) -> frozenset[Symbol]:
        """Table models with the soft-delete column."""
        from layerlint.project.orm.soft_delete import find_soft_delete_models

        return find_soft_delete_models(self)

    @analysis(incremental=True, given_whole=True)
    def session_providers(self) -> SessionProviders:
        """Which project functions hand out a database session."""
        from layerlint.project.orm.sessions import SessionProviders

        return SessionProviders(self)

    @analysis("filter_helpers", "types", "session_providers", incremental=True, given_whole=True)
    def session_calls(self) -> SessionCalls:
        """Each function's session calls, with the statement or model each works on."""
        from layerlint.project.orm.soft_delete import SessionCalls

        return SessionCalls(self)

    @analysis(incremental=True, given_whole=True)
    def filter_helpers(self) -> FilterHelpers:
        """Which project functions and hybrid properties apply the soft-delete filter."""
        from layerlint.project.orm.soft_delete_filters import FilterHelpers

        return FilterHelpers()

    @analysis("types", whole=True)
    def generic_users(self) -> GenericUsers:
        """The table models each generic base's type variables stand for, found in its subclasses."""
        from layerlint.project.orm.soft_delete import find_generic_users

        return find_generic_users(self)

    @analysis(whole=True)
    def global_filters(self) -> list[str]:
        """Modules whose session event listeners apply `with_loader_criteria` to every query."""
        from layerlint.project.orm.soft_delete import find_global_filters

        return find_global_filters(self)

    @analysis("roles", whole=True)
    def unconfigured_base(self) -> tuple[str, int] | None:
        """The configured base repository does not exist, but repositories share another."""
        from layerlint.project.orm.repositories import find_unconfigured_base

        return find_unconfigured_base(self)

    # ------------------------------------------------------------------ the rules' own analyses

    def derived(self, build: Callable[[Project], T]) -> T:
        """An analysis defined outside the model (by the rules), built by `build` once per run."""
        if build not in self._derived:
            self._derived[build] = build(self)
        return cast(T, self._derived[build])

    def built_analyses(self) -> set[str]:
        """The names of the analyses built so far (what a rule read, for its declaration's test)."""
        return (ANALYSES.keys() & vars(self).keys()) | {getattr(b, "__name__", repr(b)) for b in self._derived}


_NOT_KEPT = object()

# Each analysis of the model, by name, with the analyses its building reads.
ANALYSES: dict[str, tuple[str, ...]] = {name: value.needs for name, value in vars(Project).items()
                                        if isinstance(value, Analysis)}
# The analyses whose answer about a module depends only on its import closure.
LOCAL = frozenset(name for name, value in vars(Project).items() if isinstance(value, Analysis) and value.local)
# Project-wide results a module's findings may read any part of (fingerprinted into the check cache's keys).
WHOLE = frozenset(name for name, value in vars(Project).items() if isinstance(value, Analysis) and value.whole)
# Local once the whole analyses are given.
GIVEN_WHOLE = LOCAL | frozenset(name for name, value in vars(Project).items()
                                if isinstance(value, Analysis) and value.given_whole)
# The analyses built whole when first read: what a process that shares them saves building.
BUILT_WHOLE = frozenset(name for name, value in vars(Project).items()
                        if isinstance(value, Analysis) and not value.incremental)


def closure_local(names: Iterable[str]) -> bool:
    """Whether these analyses, and every one building them reads, are local (rule-defined ones are not)."""
    return needed_analyses(names) <= LOCAL


def needed_analyses(names: Iterable[str]) -> set[str]:
    """`names` and every analysis building them reads (analyses the model does not know stay as named)."""
    return reached(names, lambda name: ANALYSES.get(name, ()))


def whole_inputs(names: Iterable[str]) -> tuple[str, ...] | None:
    """The whole analyses that, with a module's import closure, decide what these analyses answer
    about the module; None when one of them (or one they read short of a whole analysis) may read
    other modules unnoticed (call sites, rule-defined analyses). A whole analysis's own inputs are
    not followed: its fingerprint covers what it read."""
    read = reached(names, lambda name: () if name in WHOLE else ANALYSES.get(name, ()))
    if not read <= GIVEN_WHOLE | WHOLE:
        return None
    return tuple(sorted(read & WHOLE))
