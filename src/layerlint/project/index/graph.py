"""The first-party import graph: every edge with its line, and shortest chains between modules.

Edges follow grimp's (and so import-linter's) reading of an import statement: `import a.b`
is an edge to `a.b`; `from a import b` is an edge to `a.b` when that is a module, else to `a`;
a target that is not a module of the project falls back to its nearest ancestor that is.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Protocol, TypeVar

from layerlint.core.records import record
from layerlint.project.reading.facts import ImportFact, ModuleFacts, Span


@record(frozen=True)
class ImportEdge:
    importer: str
    imported: str
    span: Span
    type_checking: bool
    in_function: bool
    relative: bool
    submodule: bool  # `from x import y` where y is a module

    @property
    def line(self) -> int:
        return self.span.line


@record(frozen=True)
class ImportChain:
    edges: tuple[ImportEdge, ...]

    @property
    def modules(self) -> tuple[str, ...]:
        return (self.edges[0].importer, *(edge.imported for edge in self.edges))

    def render(self) -> str:
        steps = [f"{edge.importer}:{edge.line}" for edge in self.edges]
        return " -> ".join([*steps, self.edges[-1].imported])


def _nearest_module(name: str, is_module: Callable[[str], bool]) -> str | None:
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if is_module(candidate):
            return candidate
        parts.pop()
    return None


def edge_target(item: ImportFact, modules: Mapping[str, ModuleFacts]) -> tuple[str, bool] | None:
    """The first-party module an import statement depends on, and whether it is a submodule import."""
    def is_module(name: str) -> bool:
        return name in modules

    if item.kind == "from" and item.name not in (None, "*"):
        submodule = f"{item.target}.{item.name}"
        if submodule in modules:
            return submodule, True
    target = _nearest_module(item.target, is_module)
    return (target, False) if target is not None else None


def edge_candidates(item: ImportFact) -> list[str]:
    """The module names an import statement may depend on, in the order `edge_target` tries them:
    its edge is the first that is a module of the project. Known from the facts alone, so the
    check cache stores them and resolves edges without the project (see cache/module_findings.py)."""
    return candidates_of(item.kind, item.target, item.name)


def candidates_of(kind: str, target: str, name: str | None) -> list[str]:
    """`edge_candidates` of an import of this kind, target and name."""
    parts = target.split(".")
    prefixes = [".".join(parts[:end]) for end in range(len(parts), 0, -1)]
    if kind == "from" and name not in (None, "*"):
        return [f"{target}.{name}", *prefixes]
    return prefixes


TargetsOf = Callable[[ImportFact], list[tuple[str, bool]]]
Keeps = Callable[[ModuleFacts, ImportFact], bool]
E = TypeVar("E")
EVERYTHING = "*"  # a chain state's name when the importer takes the whole module (`import m`)


class NameReach(Protocol):
    """What a chain may follow inside a module, name by name (`name_reach.py`)."""

    def needed(self, module: str, name: str) -> Mapping[str, Collection[str]] | None:
        """The names bound by `module`'s imports that its definition of `name` uses (with the
        definitions it uses in turn), each with the names written with it (`utils.find_order`);
        None when that is every import, whole."""

    def taken(self, item: ImportFact, target: str, written: Collection[str]) -> Collection[str]:
        """The names of `target` that `item` gives, used as `written`; `EVERYTHING` for the whole module."""


class _WholeModules:
    """Chains module by module, as import-linter reads them: every import of a module counts."""

    def needed(self, module: str, name: str) -> Mapping[str, Collection[str]] | None:
        return None

    def taken(self, item: ImportFact, target: str, written: Collection[str]) -> Collection[str]:
        return (EVERYTHING,)


class _EdgesFrom(Mapping[str, list[E]]):
    """Each module's edges, found when first asked for: a chain from one module reads only the
    modules it reaches (on polar's server, a quarter of the project for the median module)."""

    def __init__(self, modules: Mapping[str, ModuleFacts], edges_of: Callable[[str, ModuleFacts], Iterator[E]]
                 ) -> None:
        self._modules = modules
        self._edges_of = edges_of
        self.found: dict[str, list[E]] = {}

    def __getitem__(self, name: str) -> list[E]:
        edges = self.found.get(name)
        if edges is None:
            edges = self.found[name] = list(self._edges_of(name, self._modules[name]))
        return edges

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)

    def take(self, other: _EdgesFrom[E], same: Callable[[str], bool]) -> None:
        for name, edges in other.found.items():
            if same(name):
                self.found.setdefault(name, edges)


class ImportGraph:
    """Edges per importing module. By default the syntactic edges grimp sees; `targets_of` can
    give another reading of an import (e.g. the module that defines an imported name), and
    `keeps` leave some imports out (e.g. those a module uses only as types)."""

    def __init__(self, modules: Mapping[str, ModuleFacts], targets_of: TargetsOf | None = None,
                 keeps: Keeps | None = None) -> None:
        self.modules = modules
        self._targets_of = targets_of or self._syntactic_target
        self._keeps = keeps
        self.edges_from: _EdgesFrom[ImportEdge] = _EdgesFrom(modules, self._edges_of)
        # Every kept import with its edge, several to one module among them: a chain that follows
        # names needs the statement that imports each name.
        self.item_edges: _EdgesFrom[tuple[ImportFact, ImportEdge]] = _EdgesFrom(modules, self._item_edges_of)

    def _syntactic_target(self, item: ImportFact) -> list[tuple[str, bool]]:
        found = edge_target(item, self.modules)
        return [found] if found is not None else []

    def _item_edges_of(self, name: str, facts: ModuleFacts) -> Iterator[tuple[ImportFact, ImportEdge]]:
        for item in facts.imports:
            if self._keeps is not None and not self._keeps(facts, item):
                continue
            for target, submodule in self._targets_of(item):
                if target != name:
                    yield item, ImportEdge(name, target, item.span, item.type_checking, item.in_function,
                                           item.level > 0, submodule)

    def _edges_of(self, name: str, facts: ModuleFacts) -> Iterator[ImportEdge]:
        seen: set[str] = set()
        for _, edge in self.item_edges[name]:
            if edge.imported not in seen:
                seen.add(edge.imported)
                yield edge

    def take_edges(self, other: ImportGraph, same: Callable[[str], bool]) -> None:
        """The edges `other`, a graph read the same way over the same module names, found for the
        modules whose facts are the `same`."""
        self.item_edges.take(other.item_edges, same)
        self.edges_from.take(other.edges_from, same)

    def edge_pairs(self) -> set[tuple[str, str]]:
        return {(e.importer, e.imported) for edges in self.edges_from.values() for e in edges}

    def shortest_chains(self, start: str, is_target: Callable[[str], bool],
                        can_pass: Callable[[str], bool], *, direct: bool = True,
                        reach: NameReach | None = None) -> list[ImportChain]:
        """Breadth-first from `start`: the shortest chain to each target module reached.

        A chain stops at the first target; it continues only through modules `can_pass` allows.
        `direct=False` leaves out the targets `start` imports itself, so that a target it also
        reaches through other modules gets that longer chain. With `reach`, a chain follows names:
        through a module it continues only along the imports that the names taken from it use
        (the chain state is a module and a name of it), and `start` takes everything.
        """
        names = reach or _WholeModules()
        State = tuple[str, str]
        first: State = (start, EVERYTHING)
        previous: dict[State, tuple[State, ImportEdge]] = {}
        queue = deque([first])
        seen = {first}
        reached: set[str] = set()
        chains: list[ImportChain] = []
        while queue:
            state = queue.popleft()
            module, name = state
            needed = names.needed(module, name)
            for item, edge in self.item_edges.get(module, ()):
                target = edge.imported
                if needed is not None and item.bound not in needed or target == start or target in reached:
                    continue
                if is_target(target):
                    if direct or module != start:
                        reached.add(target)
                        chains.append(_chain_to(state, edge, previous))
                    continue
                for taken in names.taken(item, target, needed[item.bound] if needed is not None else ()):
                    following: State = (target, taken)
                    if following in seen or (target, EVERYTHING) in seen:
                        continue
                    seen.add(following)
                    previous[following] = (state, edge)
                    if can_pass(target):
                        queue.append(following)
        return chains


def _chain_to(state: tuple[str, str], last: ImportEdge,
              previous: dict[tuple[str, str], tuple[tuple[str, str], ImportEdge]]) -> ImportChain:
    edges = [last]
    while state in previous:
        state, edge = previous[state]
        edges.append(edge)
    return ImportChain(tuple(reversed(edges)))
