"""Which table model an annotation or `response_model` names, through generics and aliases."""

from __future__ import annotations

from layerlint.project.annotated import annotated_parts
from layerlint.project.expr import Expr, constant, parse_expression
from layerlint.project.models import is_table_model
from layerlint.project.symbols import Symbol, SymbolIndex

MAX_DEPTH = 8


def table_model_in(index: SymbolIndex, module: str, expr: Expr | None, depth: int = 0) -> Symbol | None:
    """The table model `expr` names: `Item`, `list[Item]`, `Optional[Item]`, `Item | None`,
    `Page[Item]`, `Annotated[Item, ...]`, a string `"Item"`, or an alias of those."""
    if expr is None or depth > MAX_DEPTH:
        return None
    kind = expr[0]
    if kind == "s":
        parts = annotated_parts(index, module, expr)
        items = [parts[0]] if parts else expr[2][1] if expr[2] and expr[2][0] == "t" else [expr[2]]
        for item in items:
            found = table_model_in(index, module, item, depth + 1)
            if found is not None:
                return found
        return None
    if kind == "b" and expr[1] == "|":
        return table_model_in(index, module, expr[2], depth + 1) or table_model_in(index, module, expr[3], depth + 1)
    if kind == "k" and isinstance(constant(expr), str):
        return table_model_in(index, module, parse_expression(str(constant(expr))), depth + 1)
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
    if annotation[0] == "s":
        parts = annotated_parts(index, module, annotation)
        return parts[1] if parts else []
    symbol = index.resolve_expr(module, annotation)
    event = index.assignment(symbol)
    return annotated_metadata(index, symbol.module, event.value, depth + 1) if event else []
