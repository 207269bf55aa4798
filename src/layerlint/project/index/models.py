"""Table-model recognition, the one place every rule and analysis asks: which classes are table
models (SQLModel `table=True`, or SQLAlchemy declarative mapped classes), and which table model a
name (`table_model_named`), an annotation (`table_model_in`) or an inferred type
(`table_model_in_type`) names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from layerlint.project.index.annotated import annotated_parts
from layerlint.project.index.symbols import Symbol, SymbolIndex
from layerlint.project.index.types import TypeRef
from layerlint.project.reading.expr import (
    BinOp,
    Constant,
    Dict,
    Expr,
    Subscript,
    Tuple,
    call_kwargs,
    constant,
    dotted,
    is_call,
    parse_expression,
)

if TYPE_CHECKING:  # project builds on the index; the analyses below are cached on it
    from layerlint.project.project import Project

SQLMODEL_BASES = frozenset({"sqlmodel.SQLModel", "sqlmodel.main.SQLModel"})
DECLARATIVE_BASES = frozenset({
    "sqlalchemy.orm.DeclarativeBase", "sqlalchemy.orm.DeclarativeBaseNoMeta",
    "sqlalchemy.orm.decl_api.DeclarativeBase", "sqlalchemy.ext.asyncio.AsyncAttrs",
})
DECLARATIVE_FACTORIES = frozenset({
    "sqlalchemy.orm.declarative_base", "sqlalchemy.ext.declarative.declarative_base",
    "sqlalchemy.orm.decl_api.declarative_base",
})
_CONFIG_CALLS = ("ConfigDict", "SQLModelConfig", "dict")
MAX_DEPTH = 8


def _table_keyword(index: SymbolIndex, symbol: Symbol) -> bool | None:
    """`table=True` in the class statement or in its own `model_config`; None when not said."""
    fact = index.class_fact(symbol)
    if fact is None:
        return None
    if "table" in fact.keywords:
        return constant(fact.keywords["table"]) is True
    for field_fact in fact.fields:
        if field_fact.name == "model_config":
            return _config_table(field_fact.value)
    return None


def _config_table(value: Expr | None) -> bool | None:
    if is_call(value) and (dotted(value.func) or "").split(".")[-1] in _CONFIG_CALLS:
        found = call_kwargs(value).get("table")
        return None if found is None else constant(found) is True
    if isinstance(value, Dict):
        for key, item in zip(value.keys, value.values):
            if constant(key) == "table":
                return constant(item) is True
    return None


def _declares_table(index: SymbolIndex, symbol: Symbol) -> bool:
    """SQLModel reads `table` from the class keywords or the (inherited) `model_config`."""
    for owner in index.mro(symbol):
        said = _table_keyword(index, owner)
        if said is not None:
            return said
    return False


def _is_declarative_root(index: SymbolIndex, symbol: Symbol) -> bool:
    if symbol.dotted in DECLARATIVE_BASES:
        return True
    if symbol.kind == "assign":  # Base = declarative_base()
        event = index.assignment(symbol)
        if event is not None and is_call(event.value):
            factory = index.resolve_expr(symbol.module, event.value.func)
            return factory.dotted in DECLARATIVE_FACTORIES or (dotted(event.value.func) or "").endswith(
                "declarative_base")
    return False


def is_sqlalchemy_model(index: SymbolIndex, symbol: Symbol) -> bool:
    mro = index.mro(symbol)
    if not any(_is_declarative_root(index, s) for s in mro[1:]):
        return False
    if any(s.dotted in DECLARATIVE_BASES for s in index.base_symbols(symbol)):
        return False  # `class Base(DeclarativeBase)` is the registry, never mapped
    fact = index.class_fact(symbol)
    if fact is None:
        return False
    names = {f.name: f for f in fact.fields}
    if constant(names["__abstract__"].value) is True if "__abstract__" in names else False:
        return False
    if "__tablename__" in names or "__table__" in names:
        return True
    return any(isinstance(f.annotation, Subscript) and dotted(f.annotation.value) in (
        "Mapped", "orm.Mapped", "sqlalchemy.orm.Mapped") for f in fact.fields) or any(
        _is_column_call(index, symbol.module, f.value) for f in fact.fields)


def _is_column_call(index: SymbolIndex, module: str, value: Expr | None) -> bool:
    """`Column(...)` or `mapped_column(...)`: a mapped attribute even without `Mapped[...]`
    (the table name may come from a `declared_attr` on the base)."""
    if not is_call(value):
        return False
    found = index.resolve_expr(module, value.func).dotted
    return found.startswith(("sqlalchemy.", "sqlmodel.")) and found.rsplit(".", 1)[-1] in ("Column", "mapped_column")


def is_sqlmodel(index: SymbolIndex, symbol: Symbol) -> bool:
    return any(s.dotted in SQLMODEL_BASES for s in index.mro(symbol))


def is_table_model(index: SymbolIndex, symbol: Symbol) -> bool:
    if symbol.kind != "class":
        return False
    if is_sqlmodel(index, symbol) and _declares_table(index, symbol):
        return True
    return is_sqlalchemy_model(index, symbol)


def table_model_named(index: SymbolIndex, module: str, expr: Expr | None) -> Symbol | None:
    """The table model a name or attribute (`Item`, `models.Item`) written in `module` refers to."""
    symbol = index.resolve_expr(module, expr)
    return symbol if symbol.kind == "class" and is_table_model(index, symbol) else None


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


def table_model_in_type(index: SymbolIndex, found: TypeRef | None) -> Symbol | None:
    """The first table model in a type the resolver inferred (`Item`, `list[Item]`, `Item | None`)."""
    return next((c for c in found.classes() if is_table_model(index, c)), None) if found else None


def find_table_models(project: Project) -> list[Symbol]:
    """Project.table_models: every table model of the project, in path order."""
    ordered = sorted(project.modules.values(), key=lambda facts: facts.path)
    return [Symbol("class", facts.module, cls.qualname) for facts in ordered for cls in facts.classes
            if is_table_model(project.index, Symbol("class", facts.module, cls.qualname))]


def has_own_table(index: SymbolIndex, symbol: Symbol) -> bool:
    """False for SQLAlchemy single-table inheritance: a mapped subclass without its own table."""
    if is_sqlmodel(index, symbol):
        return True
    fact = index.class_fact(symbol)
    if fact is not None and any(f.name in ("__tablename__", "__table__") for f in fact.fields):
        return True
    return not any(is_table_model(index, s) for s in index.mro(symbol)[1:])
