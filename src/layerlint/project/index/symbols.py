"""Name resolution across modules: imports, aliases, relative imports, re-exports, class bases.

Answers "what does this name, in this module, refer to?" without importing anything. When the
answer cannot be known the result is an UNKNOWN symbol, and rules stay silent on it.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from functools import cached_property

from layerlint.core.records import record
from layerlint.project.reading.expr import Attribute, Expr, Name, Subscript, dotted
from layerlint.project.reading.facts import (
    ClassFact,
    Event,
    FieldFact,
    FunctionFact,
    ImportFact,
    ModuleFacts,
)

_BUILTINS = frozenset(dir(builtins))
_GENERIC_WRAPPERS = frozenset({"typing.Generic", "typing_extensions.Generic"})
# Each nested resolution takes ~5 frames of Python's 1,000 (a chain of 340 re-exports overflowed).
MAX_RESOLUTION_DEPTH = 100
# Libraries whose star import a project shim re-exports (`from pydantic import *`): their names
# are what the framework analyses recognise, so an unbound name is taken to come from them.
STAR_REEXPORTED = frozenset({"pydantic", "pydantic.v1", "sqlmodel", "sqlalchemy", "sqlalchemy.orm",
                             "fastapi"})


@record(frozen=True)
class Symbol:
    kind: str  # module, class, function, assign, external, unknown
    module: str  # defining module; for externals the dotted name itself
    name: str = ""  # qualname inside the module

    @property
    def dotted(self) -> str:
        return f"{self.module}.{self.name}" if self.name else self.module

    @property
    def known(self) -> bool:
        return self.kind != "unknown"


UNKNOWN = Symbol("unknown", "")


@record
class ModuleScope:
    classes: dict[str, ClassFact]
    functions: dict[str, FunctionFact]
    assignments: dict[str, Event]
    declarations: dict[str, Event]  # `app: ForgeApp`: what a module-level name is annotated as
    imports: dict[str, ImportFact]
    late_imports: dict[str, ImportFact]  # inside functions: used only when nothing else binds
    star_imports: list[str]
    all_classes: dict[str, ClassFact]
    all_functions: dict[str, FunctionFact]


def build_scope(facts: ModuleFacts) -> ModuleScope:
    assignments: dict[str, Event] = {}
    declarations: dict[str, Event] = {}
    for event in facts.events:
        if event.kind in ("assign", "annassign") and isinstance(event.target, Name):
            if event.value is not None or event.target.id not in assignments:
                assignments[event.target.id] = event
            if event.annotation is not None:
                declarations.setdefault(event.target.id, event)
    imports: dict[str, ImportFact] = {}
    late: dict[str, ImportFact] = {}
    stars: list[str] = []
    for item in facts.imports:
        if item.name == "*":
            stars.append(item.target)
        elif item.in_function:
            late.setdefault(item.bound, item)
        else:
            imports[item.bound] = item
    top_classes = {c.name: c for c in facts.classes if c.qualname == c.name}
    top_functions = {f.name: f for f in facts.functions if f.qualname == f.name}
    return ModuleScope(top_classes, top_functions, assignments, declarations, imports, late, stars,
                       {c.qualname: c for c in facts.classes}, {f.qualname: f for f in facts.functions})


class SymbolIndex:
    def __init__(self, modules: Mapping[str, ModuleFacts]) -> None:
        self.modules = modules
        self._scopes: dict[str, ModuleScope] = {}
        self._name_cache: dict[tuple[str, str], Symbol] = {}
        self._dotted_cache: dict[tuple[str, str], Symbol] = {}  # rules resolve the same chains again and again
        self._mro_cache: dict[Symbol, tuple[Symbol, ...]] = {}
        self._depth = 0  # resolve_name calls in progress, nested
        self._cyclic: set[Symbol] = set()  # classes whose MRO met a cycle of bases

    @cached_property
    def _packages(self) -> frozenset[str]:
        prefixes: set[str] = set()
        for name in self.modules:
            parts = name.split(".")
            prefixes.update(".".join(parts[:i]) for i in range(1, len(parts)))
        return frozenset(prefixes)

    @cached_property
    def imported_packages(self) -> frozenset[str]:
        """The top-level package of every import in the project (`fastcrud` for `from fastcrud.crud
        import X`): an analysis of a library's calls has nothing to find where none imports it."""
        return frozenset(item.target.split(".", 1)[0] for facts in self.modules.values() for item in facts.imports)

    def is_module(self, name: str) -> bool:
        return name in self.modules or name in self._packages

    def scope(self, module: str) -> ModuleScope | None:
        scope = self._scopes.get(module)
        if scope is None and module in self.modules:
            scope = self._scopes[module] = build_scope(self.modules[module])
        return scope

    # ------------------------------------------------------------------ resolution

    def resolve_name(self, module: str, name: str) -> Symbol:
        cached = self._name_cache.get((module, name))
        if cached is not None:
            return cached
        # `from a import X` re-exported through b, c, ...: followed in a loop, so a chain of any
        # length resolves (one of 340 modules was a RecursionError and no findings at all).
        chain: list[tuple[str, str]] = []
        hop: tuple[str, str] | None = (module, name)
        while hop is not None and hop not in self._name_cache:
            self._name_cache[hop] = UNKNOWN  # a cycle of re-exports resolves to unknown
            chain.append(hop)
            module, name = hop
            hop = self._reexported_from(module, name)
        result = self._name_cache[hop] if hop is not None else self._resolved_within_depth(module, name)
        for key in chain:
            self._name_cache[key] = result
        return result

    def _reexported_from(self, module: str, name: str) -> tuple[str, str] | None:
        """The (module, name) that `name` in `module` is imported from, when that is a name in
        another project module (what `_resolve_name` would follow through `resolve_import`)."""
        scope = self.scope(module)
        if scope is None or name in scope.classes or name in scope.functions or name in scope.assignments:
            return None
        item = scope.imports.get(name) or scope.late_imports.get(name)
        if item is None or item.kind == "import" or item.name is None:
            return None
        if self.is_module(f"{item.target}.{item.name}") or item.target not in self.modules:
            return None
        return item.target, item.name

    def _resolved_within_depth(self, module: str, name: str) -> Symbol:
        """`_resolve_name`, or UNKNOWN past `MAX_RESOLUTION_DEPTH` nested resolutions (aliases,
        star imports and attributes of other modules recurse): never a RecursionError."""
        if self._depth >= MAX_RESOLUTION_DEPTH:
            return UNKNOWN
        self._depth += 1
        try:
            return self._resolve_name(module, name, 0)
        finally:
            self._depth -= 1

    def _resolve_name(self, module: str, name: str, depth: int) -> Symbol:
        scope = self.scope(module)
        if scope is None:
            submodule = f"{module}.{name}"
            return Symbol("module", submodule) if self.is_module(submodule) else UNKNOWN
        if name in scope.classes:
            return Symbol("class", module, name)
        if name in scope.functions:
            return Symbol("function", module, name)
        if name in scope.assignments:
            return self._follow_alias(module, name, scope.assignments[name])
        item = scope.imports.get(name) or scope.late_imports.get(name)
        if item is not None:
            return self.resolve_import(item)
        if self.is_module(f"{module}.{name}"):
            return Symbol("module", f"{module}.{name}")
        for star in scope.star_imports:
            if star in self.modules:
                found = self.resolve_name(star, name)
                if found.known:
                    return found
        if name in _BUILTINS:
            return Symbol("external", f"builtins.{name}")
        # A shim that star-imports one of the frameworks layerlint knows (`from pydantic import *`)
        # re-exports its names; any other library's names, or two star imports, stay unknown.
        external = [star for star in scope.star_imports if not self.is_module(star)]
        if len(external) == 1 and external[0] in STAR_REEXPORTED:
            return Symbol("external", f"{external[0]}.{name}")
        return UNKNOWN

    def _follow_alias(self, module: str, name: str, event: Event) -> Symbol:
        value = event.value
        if isinstance(value, (Name, Attribute)) and event.kind == "assign":
            target = self.resolve_expr(module, value)
            if target.kind in ("class", "function", "module", "external"):
                return target
        return Symbol("assign", module, name)

    def resolve_import(self, item: ImportFact) -> Symbol:
        if item.kind == "import":
            target = item.target if item.bound != item.target.split(".")[0] else item.target.split(".")[0]
            return Symbol("module", target) if self.is_module(target) else Symbol("external", target)
        assert item.name is not None
        submodule = f"{item.target}.{item.name}"
        if self.is_module(submodule):
            return Symbol("module", submodule)
        if item.target in self.modules:
            return self.resolve_name(item.target, item.name)
        if self.is_module(item.target):
            return UNKNOWN
        return Symbol("external", submodule)

    def resolve_expr(self, module: str, expr: Expr | None) -> Symbol:
        """Resolve a name or attribute chain (`models.Item`, `fastapi.APIRouter`)."""
        name = dotted(expr)
        if name is None:
            return UNKNOWN
        cached = self._dotted_cache.get((module, name))
        if cached is not None:
            return cached
        head, *rest = name.split(".")
        symbol = self.resolve_name(module, head)
        for attribute in rest:
            symbol = self.member(symbol, attribute)
        self._dotted_cache[(module, name)] = symbol
        return symbol

    def resolve_dotted(self, name: str) -> Symbol:
        """A dotted path as configuration writes it (`app.core.db.get_session`)."""
        parts = name.split(".")
        for split in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:split])
            if module in self.modules:
                symbol = self.resolve_name(module, parts[split])
                for attribute in parts[split + 1:]:
                    symbol = self.member(symbol, attribute)
                return symbol
        return Symbol("module", name) if self.is_module(name) else Symbol("external", name)

    def member(self, symbol: Symbol, attribute: str) -> Symbol:
        if symbol.kind == "module":
            if symbol.module in self.modules:
                return self.resolve_name(symbol.module, attribute)
            sub = f"{symbol.module}.{attribute}"
            return Symbol("module", sub) if self.is_module(sub) else UNKNOWN
        if symbol.kind == "external":
            return Symbol("external", f"{symbol.module}.{attribute}")
        if symbol.kind == "class":
            scope = self.scope(symbol.module)
            qualname = f"{symbol.name}.{attribute}"
            if scope and qualname in scope.all_classes:
                return Symbol("class", symbol.module, qualname)
            if scope and qualname in scope.all_functions:
                return Symbol("function", symbol.module, qualname)
        return UNKNOWN

    # ------------------------------------------------------------------ definitions

    def class_fact(self, symbol: Symbol) -> ClassFact | None:
        scope = self.scope(symbol.module) if symbol.kind == "class" else None
        return scope.all_classes.get(symbol.name) if scope else None

    def function_fact(self, symbol: Symbol) -> FunctionFact | None:
        scope = self.scope(symbol.module) if symbol.kind == "function" else None
        return scope.all_functions.get(symbol.name) if scope else None

    def assignment(self, symbol: Symbol) -> Event | None:
        scope = self.scope(symbol.module) if symbol.kind == "assign" else None
        return scope.assignments.get(symbol.name) if scope else None

    def declaration(self, symbol: Symbol) -> Event | None:
        """The module-level annotation of an assigned name, wherever it is (`if TYPE_CHECKING:
        app: ForgeApp`, then `else: app = AppHolder()`): the type a type checker gives it."""
        scope = self.scope(symbol.module) if symbol.kind == "assign" else None
        return scope.declarations.get(symbol.name) if scope else None

    def method(self, class_symbol: Symbol, name: str) -> tuple[Symbol, FunctionFact] | None:
        """The method `name` as the class or its nearest project base defines it."""
        for owner in self.mro(class_symbol):
            scope = self.scope(owner.module)
            fact = scope.all_functions.get(f"{owner.name}.{name}") if scope else None
            if fact is not None:
                return Symbol("function", owner.module, fact.qualname), fact
        return None

    # ------------------------------------------------------------------ classes

    def base_symbols(self, class_symbol: Symbol) -> list[Symbol]:
        """Bases as resolved symbols; `Base[Item]` counts as `Base`."""
        fact = self.class_fact(class_symbol)
        if fact is None:
            return []
        result: list[Symbol] = []
        for base in fact.bases:
            while isinstance(base, Subscript):
                base = base.value
            resolved = self.resolve_expr(class_symbol.module, base)
            if resolved.dotted not in _GENERIC_WRAPPERS:
                result.append(resolved)
        return result

    def mro(self, class_symbol: Symbol) -> tuple[Symbol, ...]:
        """The class and its ancestors (project classes and external names), nearest first:
        depth first, left to right, each once."""
        cached = self._mro_cache.get(class_symbol)
        if cached is None:
            self._build_mros(class_symbol)
            cached = self._mro_cache[class_symbol]
        return cached

    def _build_mros(self, class_symbol: Symbol) -> None:
        """Every MRO `class_symbol`'s needs, bases before subclasses, each from its bases' MROs:
        a chain of n classes resolves n base lists, not n^2 (3,000 chained classes took minutes).
        Iterative, so a chain deeper than the recursion limit is no RecursionError."""
        building: set[Symbol] = set()  # a base still here is a cycle: it counts as itself alone
        pending: list[tuple[Symbol, list[Symbol] | None]] = [(class_symbol, None)]
        while pending:
            symbol, bases = pending.pop()
            if symbol in self._mro_cache:
                continue
            if bases is None:  # first visit: its bases first
                bases = self.base_symbols(symbol) if symbol.kind == "class" else []
                building.add(symbol)
                pending.append((symbol, bases))
                pending.extend((base, None) for base in reversed(bases)
                               if base not in self._mro_cache and base not in building)
                continue
            self._mro_cache[symbol] = self._merged(symbol, bases)
            building.discard(symbol)

    def _merged(self, symbol: Symbol, bases: list[Symbol]) -> tuple[Symbol, ...]:
        if len(bases) == 1 and bases[0] in self._mro_cache and bases[0] not in self._cyclic:
            return (symbol, *self._mro_cache[bases[0]])  # no cycle below: `symbol` is not in it
        if any(base not in self._mro_cache or base in self._cyclic for base in bases):
            self._cyclic.add(symbol)
        seen = {symbol}
        order = [symbol]
        for base in bases:
            for ancestor in self._mro_cache.get(base, (base,)):
                if ancestor not in seen:
                    seen.add(ancestor)
                    order.append(ancestor)
        return tuple(order)

    def inherits_from(self, class_symbol: Symbol, dotted_names: frozenset[str] | set[str]) -> bool:
        return any(s.dotted in dotted_names or s.name.split(".")[-1] in dotted_names for s in self.mro(class_symbol))

    def fields(self, class_symbol: Symbol) -> dict[str, tuple[FieldFact, Symbol]]:
        """Every field including inherited ones; the class nearest in the MRO wins."""
        result: dict[str, tuple[FieldFact, Symbol]] = {}
        for owner in self.mro(class_symbol):
            fact = self.class_fact(owner)
            if fact is None:
                continue
            for field_fact in fact.fields:
                result.setdefault(field_fact.name, (field_fact, owner))
        return result

    def classes(self) -> list[Symbol]:
        return [Symbol("class", module, cls.qualname) for module, facts in self.modules.items()
                for cls in facts.classes]
