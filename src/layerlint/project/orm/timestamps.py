"""How a model's datetime columns store time: timezone-aware, naive, or not known.

`DateTime(timezone=True)` (or `TIMESTAMP(timezone=True)`) in `Column`, `mapped_column`, SQLModel's
`sa_column`/`sa_type`, an `Annotated` alias, a project `TypeDecorator`'s `impl`, or the declarative
base's `type_annotation_map` makes a column aware; SQLModel stores a bare `datetime` naive.
A Tortoise `DatetimeField` is not known either way: its column is `TIMESTAMPTZ` on PostgreSQL
whatever the settings, and whether Python sees aware values is the `use_tz` setting given to
`Tortoise.init` at run time, not anything the model says.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from layerlint.project.index.models import is_sqlmodel
from layerlint.project.index.symbols import Symbol, SymbolIndex
from layerlint.project.orm.model_fields import DATETIME_TYPES, ModelField, sa_name
from layerlint.project.reading.expr import (
    Call,
    Dict,
    Expr,
    call_args,
    call_kwargs,
    constant,
)

if TYPE_CHECKING:
    from layerlint.project.project import Project

MAX_DEPTH = 4  # a project type whose impl is another project type, and so on


def column_timezone(index: SymbolIndex, module: str, type_expr: Expr, depth: int = 0) -> str:
    """"aware", "naive", "other" (not a datetime type) or "unknown" for a column type as written."""
    call = type_expr if isinstance(type_expr, Call) else None
    func = call.func if call else type_expr
    if call is not None and len(call_args(call)) == 2 and index.resolve_expr(module, func).dotted in (
            "typing.cast", "typing_extensions.cast"):
        return column_timezone(index, module, call_args(call)[1], depth)  # sa_type=cast(type[DateTime], DateTime(...))
    name = sa_name(index, module, func)
    if name is None:
        symbol = index.resolve_expr(module, func)
        return _decorated_timezone(index, symbol, depth, call) if symbol.kind == "class" else "unknown"
    if name not in DATETIME_TYPES:
        return "other"
    if call is None:
        return "naive"
    flag = call_kwargs(call).get("timezone") or (call_args(call)[0] if call_args(call) else None)
    return "aware" if constant(flag) is True else "naive"


def _decorated_timezone(index: SymbolIndex, symbol: Symbol, depth: int, call: Call | None = None) -> str:
    """A project column type: a `TypeDecorator` stores what its `impl` names (`impl = DateTime` is
    naive, whatever `process_bind_param` does to the values). `TypeDecorator.__init__` builds an
    `impl` class with the arguments the type is called with, so `impl = TIMESTAMP` called as
    `TIMESTAMPAware(timezone=True)` stores an aware `TIMESTAMP` (fief's columns), unless the project
    type takes its own arguments (`__init__`). One that picks its type per dialect
    (`load_dialect_impl`), or any other class, is not guessed at."""
    impl = index.fields(symbol).get("impl")
    if impl is None or depth > MAX_DEPTH or index.method(symbol, "load_dialect_impl") is not None or not any(
            s.kind == "external" and s.dotted.rsplit(".", 1)[-1] == "TypeDecorator"
            and s.dotted.startswith("sqlalchemy.") for s in index.mro(symbol)):
        return "unknown"
    fact, owner = impl
    if fact.value is None:
        return "unknown"
    if call is not None and not isinstance(fact.value, Call) and index.method(symbol, "__init__") is None:
        built = Call(fact.value, call_args(call), call_kwargs(call), call.span)
        return column_timezone(index, owner.module, built, depth + 1)
    return column_timezone(index, owner.module, fact.value, depth + 1)


def is_datetime(index: SymbolIndex, module: str, annotation: Expr | None) -> bool:
    return annotation is not None and index.resolve_expr(module, annotation).dotted == "datetime.datetime"


def field_timezone(project: Project, model: Symbol, field: ModelField) -> str:
    """How the column stores datetimes: "aware", "naive", "other" or "unknown"."""
    index = project.index
    if not field.readable:
        return "unknown"
    if field.value_type is not None:  # a Tortoise field: no timezone to read in the model
        return "unknown" if field.value_type == "datetime.datetime" else "other"
    if field.column_type is not None:
        return column_timezone(index, field.column_module, field.column_type)
    if not is_datetime(index, field.annotation_module, field.annotation):
        return "other" if field.annotation is not None else "unknown"
    if is_sqlmodel(index, model):
        return "naive"  # SQLModel maps `datetime` to DateTime() without timezone
    return _annotation_map_timezone(index, model)


def _annotation_map_timezone(index: SymbolIndex, model: Symbol) -> str:
    """SQLAlchemy 2.0: `type_annotation_map = {datetime: DateTime(timezone=True)}` on the base."""
    found = index.fields(model).get("type_annotation_map")
    if found is None or not isinstance(found[0].value, Dict):
        return "naive"
    mapping, owner = found[0].value, found[1].module
    for key, value in zip(mapping.keys, mapping.values):
        if key is not None and is_datetime(index, owner, key):
            return column_timezone(index, owner, value)
    return "naive"
