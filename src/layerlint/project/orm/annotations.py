"""Which table model an annotation or `response_model` names, through generics and aliases."""

from __future__ import annotations

from layerlint.project.index.annotated import annotated_parts
from layerlint.project.index.models import is_table_model
from layerlint.project.index.symbols import Symbol, SymbolIndex
from layerlint.project.reading.expr import (
    BinOp,
    Constant,
    Expr,
    Subscript,
    Tuple,
    parse_expression,
)

MAX_DEPTH = 8


def table_model_in(index: SymbolIndex, module: str, expr: Expr | None, depth: int = 0) -> Symbol | None:
    """The table model `expr` names: `Item`, `list[Item]`, `Optional[Item]`, `Item | None`,
    `Page[Item]`, `Annotated[Item, ...]`, a string `"Item"`, or an alias of those."""
    if expr is None or depth > MAX_DEPTH:
        return None
    match expr:
        case Subscript(_, inner):
            parts = annotated_parts(index, module, expr)
            items = [parts[0]] if parts else inner.elts if isinstance(inner, Tuple) else [inner]
            for item in items:
                found = table_model_in(index, module, item, depth + 1)
                if found is not None:
                    return found
            return None
        case BinOp("|", left, right):
            return table_model_in(index, module, left, depth + 1) or table_model_in(index, module, right, depth + 1)
        case Constant(str(text)):
            return table_model_in(index, module, parse_expression(text), depth + 1)
    symbol = index.resolve_expr(module, expr)
    if symbol.kind == "class":
        return symbol if is_table_model(index, symbol) else None
    if symbol.kind == "assign":
        event = index.assignment(symbol)
        return table_model_in(index, symbol.module, event.value, depth + 1) if event else None
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
