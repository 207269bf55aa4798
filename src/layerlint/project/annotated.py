"""`Annotated[T, m1, m2]`: the one place that recognises it and takes it apart.

The head is `Annotated` by its written name (`Annotated`, `typing.Annotated`, `t.Annotated`,
also when the import cannot be resolved) or by what it resolves to (`from typing import
Annotated as A`). Aliases (`WriteSession = Annotated[...]`) are followed by the callers, which
each know how far and what they record on the way.
"""

from __future__ import annotations

from layerlint.project.expr import Expr, dotted
from layerlint.project.symbols import SymbolIndex

ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})


def is_annotated(index: SymbolIndex, module: str, head: Expr | None) -> bool:
    """`head` (a subscript's value, written in `module`) is `typing.Annotated`."""
    name = dotted(head)
    if name is None:
        return False
    return name.rsplit(".", 1)[-1] == "Annotated" or index.resolve_expr(module, head).dotted in ANNOTATED


def annotated_parts(index: SymbolIndex, module: str, expr: Expr | None) -> tuple[Expr | None, list[Expr]] | None:
    """`Annotated[T, m1, m2]` -> (T, [m1, m2]); None for any other expression (an alias too)."""
    if expr is None or expr[0] != "s" or not is_annotated(index, module, expr[1]):
        return None
    inner = expr[2]
    if inner is None or inner[0] != "t" or not inner[1]:
        return None
    return inner[1][0], [item for item in inner[1][1:] if item is not None]
