"""Which of a module's imports one of its names needs: how an architectural chain follows names
rather than whole modules.

A router that imports `format_date` from a helper module reaches what `format_date` uses, not
whatever else the helper imports for its other functions. A name's needs are the imports its
definition uses at run time (`type_only.py` decides what is only a type), with the definitions of
the same module it uses in turn, and the module's statements that run on import (anything that is
not a definition or an assignment to one name). A module imported whole (`import app.helpers`,
`from app import helpers`) gives the names written after it (`helpers.format_date(...)`); used
bare (passed along, `getattr`), or never used (a re-export, an import for its side effects), it
gives everything, as does a name whose definition is not known or holds an expression too deep
to read.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from layerlint.project.index.graph import EVERYTHING
from layerlint.project.index.symbols import Symbol, SymbolIndex
from layerlint.project.index.type_only import ALWAYS, DefinitionUses, NameUses, used_only_as_type
from layerlint.project.reading.facts import ImportFact, ModuleFacts

_DEFINED = ("class", "function", "assign")
Needed = Mapping[str, frozenset[str]]
_NOTHING: frozenset[str] = frozenset()


class NameReach:
    """`graph.NameReach` over the index, with each module's uses per definition."""

    def __init__(self, index: SymbolIndex, uses_of: Callable[[ModuleFacts], DefinitionUses]) -> None:
        self._index = index
        self._modules: Mapping[str, ModuleFacts] = index.modules
        self._uses_of = uses_of
        self._needed: dict[tuple[str, str], Needed | None] = {}
        self._resolved: dict[tuple[str, str | None], Symbol] = {}

    def needed(self, module: str, name: str) -> Needed | None:
        if module not in self._modules:
            return None
        key = (module, name)
        if key not in self._needed:
            self._needed[key] = self._find_needed(self._modules[module], name)
        return self._needed[key]

    def taken(self, item: ImportFact, target: str, written: Collection[str]) -> Collection[str]:
        if item.kind == "from" and item.name not in (None, "*") and target != f"{item.target}.{item.name}":
            key = (item.target, item.name)
            symbol = self._resolved.get(key)
            if symbol is None:
                symbol = self._resolved[key] = self._index.resolve_import(item)
            if symbol.kind in _DEFINED and symbol.module == target and symbol.name:
                return (symbol.name.split(".", 1)[0],)
            return (item.name,) if target == item.target else (EVERYTHING,)
        if item.kind == "from" and item.name == "*":
            return (EVERYTHING,)
        return _attributes(_written_as(item), written)

    def _find_needed(self, facts: ModuleFacts, name: str) -> Needed | None:
        definitions = self._uses_of(facts)
        if name == EVERYTHING:
            every = list(definitions.owners.values())
            if not all(part.complete for part in every):
                return None
            return {item.bound: self._written(item, every) for item in facts.imports}
        if name not in definitions.owners and all(item.bound != name for item in facts.imports):
            return None
        parts = _closure(definitions.owners, name)
        if parts is None:
            return None
        mentioned = {name}.union(*(part.heads() for part in parts))
        runtime = set().union(*(part.runtime for part in parts))
        needed: dict[str, frozenset[str]] = {}
        for item in facts.imports:
            if item.bound not in mentioned:
                continue
            if item.bound != name and item.bound not in runtime:
                if used_only_as_type(self._index, facts.module, item, parts):
                    continue
            needed[item.bound] = self._written(item, parts)
        return needed

    def _written(self, item: ImportFact, parts: list[NameUses]) -> frozenset[str]:
        """What is written with the name an import of a module binds (`taken` reads no more of
        an import of a name, which it resolves)."""
        if item.kind == "from" and f"{item.target}.{item.name}" not in self._modules:
            return _NOTHING
        written = set().union(*(part.written(item.bound) for part in parts))
        return frozenset(written) if written else _NOTHING  # most are empty: one shared, not 216 bytes each


def _written_as(item: ImportFact) -> str:
    """How the module an import gives is written where it is used: `app.helpers` after `import
    app.helpers`, the bound name after `import app.helpers as helpers` or `from app import helpers`."""
    if item.kind == "import" and item.bound == item.target.split(".", 1)[0]:
        return item.target
    return item.bound


def _attributes(prefix: str, written: Collection[str]) -> list[str]:
    """The names of the module written as `prefix` that the names `written` use; everything when
    the module itself is used (or nothing is known of its use)."""
    found: set[str] = set()
    for name in written:
        if name.startswith(prefix + "."):
            found.add(name[len(prefix) + 1:].split(".", 1)[0])
        elif prefix == name or prefix.startswith(name + "."):
            return [EVERYTHING]
    return sorted(found) if found else [EVERYTHING]


def _closure(owners: Mapping[str, NameUses], name: str) -> list[NameUses] | None:
    """The uses of `name`'s definition, of the module-level statements, and of every definition
    of the module they use; None when one of them could not be read whole."""
    pending = [name, ALWAYS]
    expanded: set[str] = set()
    parts: list[NameUses] = []
    while pending:
        owner = pending.pop()
        if owner in expanded:
            continue
        expanded.add(owner)
        uses = owners.get(owner)
        if uses is None:
            continue
        if not uses.complete:
            return None
        parts.append(uses)
        pending.extend(head for head in uses.heads() if head in owners and head not in expanded)
    return parts
