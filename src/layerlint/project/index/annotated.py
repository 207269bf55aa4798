"""`Annotated[T, m1, m2]`: the one place that recognises it and takes it apart.

The head is `Annotated` by its written name (`Annotated`, `typing.Annotated`, `t.Annotated`,
also when the import cannot be resolved) or by what it resolves to (`from typing import
Annotated as A`). Aliases (`WriteSession = Annotated[...]`) are followed by the callers, which
each know how far and what they record on the way.
"""

from __future__ import annotations

from layerlint.project.index.symbols import SymbolIndex
from layerlint.project.reading.expr import Expr, Subscript, Tuple, dotted

ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})
MAX_DEPTH = 8


def is_annotated(index: SymbolIndex, module: str, head: Expr | None) -> bool:
    """`head` (a subscript's value, written in `module`) is `typing.Annotated`."""
    name = dotted(head)
    if name is None:
        return False
    return name.rsplit(".", 1)[-1] == "Annotated" or index.resolve_expr(module, head).dotted in ANNOTATED


def annotated_parts(index: SymbolIndex, module: str, expr: Expr | None) -> tuple[Expr, list[Expr]] | None:
    """`Annotated[T, m1, m2]` -> (T, [m1, m2]); None for any other expression (an alias too)."""
    match expr:
        case Subscript(head, Tuple([first, *metadata])) if is_annotated(index, module, head):
            return first, metadata
    return None


def annotated_metadata(index: SymbolIndex, module: str, annotation: Expr | None, depth: int = 0) -> list[Expr]:
    """The metadata of `Annotated[T, m1, m2]`, also when the annotation is an alias of one
    defined in another module (`CurrentUser = Annotated[User, Depends(get_current_user)]`)."""
    if annotation is None or depth > MAX_DEPTH:
        return []
    if isinstance(annotation, Subscript):
        parts = annotated_parts(index, module, annotation)
        return parts[1] if parts else []
    symbol = index.resolve_expr(module, annotation)
    event = index.assignment(symbol)
    return annotated_metadata(index, symbol.module, event.value, depth + 1) if event else []
