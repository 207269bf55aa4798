"""What one import statement brings into a module: its graph edge and the module a name comes from."""

from __future__ import annotations

from layerlint.project.index.graph import edge_target
from layerlint.project.index.symbols import SymbolIndex
from layerlint.project.reading.facts import ImportFact


def modules_reached(index: SymbolIndex, item: ImportFact) -> list[str]:
    """The first-party modules an import depends on: the edge target, and for `from x import Name`
    the module that really defines Name (through re-exports in `__init__.py`)."""
    reached: list[str] = []
    found = edge_target(item, index.modules)
    if found is not None:
        reached.append(found[0])
    if item.kind == "from" and item.name not in (None, "*") and item.target in index.modules:
        symbol = index.resolve_import(item)
        defining = symbol.module if symbol.kind in ("class", "function", "assign", "module") else None
        if defining and defining in index.modules and defining not in reached:
            reached.append(defining)
    return reached


def defining_modules(index: SymbolIndex, item: ImportFact) -> list[tuple[str, bool]]:
    """The module an import really depends on: for `from pkg import Name` the module defining
    Name (not every module `pkg/__init__.py` happens to import), else the syntactic target."""
    reached = modules_reached(index, item)
    if not reached:
        return []
    chosen = reached[-1]
    return [(chosen, item.kind == "from" and chosen == f"{item.target}.{item.name}")]
