"""The first-party import graph: every edge with its line, and shortest chains between modules.

Edges follow grimp's (and so import-linter's) reading of an import statement: `import a.b`
is an edge to `a.b`; `from a import b` is an edge to `a.b` when that is a module, else to `a`;
a target that is not a module of the project falls back to its nearest ancestor that is.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Mapping

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


class _EdgesFrom(Mapping[str, list[ImportEdge]]):
    """Each module's edges, found when first asked for: a chain from one module reads only the
    modules it reaches (on polar's server, a quarter of the project for the median module)."""

    def __init__(self, modules: Mapping[str, ModuleFacts], edges_of: Callable[[str, ModuleFacts], Iterator[ImportEdge]]
                 ) -> None:
        self._modules = modules
        self._edges_of = edges_of
        self.found: dict[str, list[ImportEdge]] = {}

    def __getitem__(self, name: str) -> list[ImportEdge]:
        edges = self.found.get(name)
        if edges is None:
            edges = self.found[name] = list(self._edges_of(name, self._modules[name]))
        return edges

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)


class ImportGraph:
    """Edges per importing module. By default the syntactic edges grimp sees; `targets_of` can
    give another reading of an import (e.g. the module that defines an imported name), and
    `keeps` leave some imports out (e.g. those a module uses only as types)."""

    def __init__(self, modules: Mapping[str, ModuleFacts], targets_of: TargetsOf | None = None,
                 keeps: Keeps | None = None) -> None:
        self.modules = modules
        self._targets_of = targets_of or self._syntactic_target
        self._keeps = keeps
        self.edges_from = _EdgesFrom(modules, self._edges_of)

    def _syntactic_target(self, item: ImportFact) -> list[tuple[str, bool]]:
        found = edge_target(item, self.modules)
        return [found] if found is not None else []

    def _edges_of(self, name: str, facts: ModuleFacts) -> Iterator[ImportEdge]:
        seen: set[str] = set()
        for item in facts.imports:
            if self._keeps is not None and not self._keeps(facts, item):
                continue
            for target, submodule in self._targets_of(item):
                if target == name or target in seen:
                    continue
                seen.add(target)
                yield ImportEdge(name, target, item.span, item.type_checking, item.in_function,
                                 item.level > 0, submodule)

    def edge_pairs(self) -> set[tuple[str, str]]:
        return {(e.importer, e.imported) for edges in self.edges_from.values() for e in edges}

    def shortest_chains(self, start: str, is_target: Callable[[str], bool],
                        can_pass: Callable[[str], bool], *, direct: bool = True) -> list[ImportChain]:
        """Breadth-first from `start`: the shortest chain to each target module reached.

        A chain stops at the first target; it continues only through modules `can_pass` allows.
        `direct=False` leaves out the targets `start` imports itself, so that a target it also
        reaches through other modules gets that longer chain.
        """
        previous: dict[str, ImportEdge] = {}
        queue = deque([start])
        visited = {start}
        chains: list[ImportChain] = []
        while queue:
            current = queue.popleft()
            for edge in self.edges_from.get(current, ()):
                if edge.imported in visited or not direct and current == start and is_target(edge.imported):
                    continue
                visited.add(edge.imported)
                previous[edge.imported] = edge
                if is_target(edge.imported):
                    chains.append(_chain_to(edge.imported, previous, start))
                elif can_pass(edge.imported):
                    queue.append(edge.imported)
        return chains


def _chain_to(end: str, previous: dict[str, ImportEdge], start: str) -> ImportChain:
    edges: list[ImportEdge] = []
    current = end
    while current != start:
        edge = previous[current]
        edges.append(edge)
        current = edge.importer
    return ImportChain(tuple(reversed(edges)))


