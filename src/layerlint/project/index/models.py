"""Table-model recognition, the one place every rule and analysis asks: which classes are table
models (SQLModel `table=True`, SQLAlchemy declarative mapped classes, or Tortoise ORM models that
are not `abstract` in their `class Meta`), and which table model a
name (`table_model_named`), an annotation (`table_model_in`) or an inferred type
(`table_model_in_type`) names."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from layerlint.project.index.annotated import annotated_parts
from layerlint.project.index.symbols import Symbol, SymbolIndex
from layerlint.project.index.types import TypeRef
from layerlint.project.reading.expr import (
    Attribute,
    BinOp,
    Constant,
    Dict,
    Expr,
    Name,
    Subscript,
    Tuple,
    call_kwargs,
    constant,
    dotted,
    is_call,
    parse_expression,
)
from layerlint.project.reading.facts import ModuleFacts

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
TORTOISE_BASES = frozenset({"tortoise.models.Model", "tortoise.Model"})
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


REGISTRIES = frozenset({"sqlalchemy.orm.registry", "sqlalchemy.orm.decl_api.registry"})
AS_DECLARATIVE = frozenset({"sqlalchemy.orm.as_declarative", "sqlalchemy.ext.declarative.as_declarative",
                            "sqlalchemy.orm.decl_api.as_declarative"})


def _is_declarative_root(index: SymbolIndex, symbol: Symbol, depth: int = 0) -> bool:
    """A declarative base: `DeclarativeBase` and kin, `Base = declarative_base()`,
    `Base = registry().generate_base()` (or of a registry assigned first), a class decorated
    `@as_declarative()`, or an alias of a declarative base (`Base: type[DeclarativeBase] = DBTable`)."""
    if symbol.dotted in DECLARATIVE_BASES:
        return True
    if symbol.kind == "class":
        fact = index.class_fact(symbol)
        return fact is not None and any(
            index.resolve_expr(symbol.module, d.func if is_call(d) else d).dotted in AS_DECLARATIVE
            for d in fact.decorators)
    if symbol.kind != "assign" or depth > MAX_DEPTH:
        return False
    event = index.assignment(symbol)
    value = event.value if event is not None else None
    if isinstance(value, (Name, Attribute)):  # an alias of a base defined elsewhere
        aliased = index.resolve_expr(symbol.module, value)
        return any(_is_declarative_root(index, s, depth + 1) for s in (
            index.mro(aliased) if aliased.kind == "class" else (aliased,)))
    if not is_call(value):
        return False
    func = value.func
    if isinstance(func, Attribute) and func.attr == "generate_base":
        return _is_registry(index, symbol.module, func.value)
    factory = index.resolve_expr(symbol.module, func)
    return factory.dotted in DECLARATIVE_FACTORIES or (dotted(func) or "").endswith("declarative_base")


def _is_registry(index: SymbolIndex, module: str, expr: Expr) -> bool:
    """`registry()`, or a name assigned `registry()` (`mapper_registry = registry()`)."""
    if is_call(expr):
        return index.resolve_expr(module, expr.func).dotted in REGISTRIES
    symbol = index.resolve_expr(module, expr)
    event = index.assignment(symbol) if symbol.kind == "assign" else None
    return event is not None and is_call(event.value) and \
        index.resolve_expr(symbol.module, event.value.func).dotted in REGISTRIES


def is_declarative_class(index: SymbolIndex, symbol: Symbol) -> bool:
    """A class that is a declarative base or derives from one (`class Base(DeclarativeBase)`, an
    abstract base of the table models): table models are its subclasses."""
    return symbol.kind == "class" and any(_is_declarative_root(index, s) for s in index.mro(symbol))


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


def is_tortoise(index: SymbolIndex, symbol: Symbol) -> bool:
    """A Tortoise ORM model class, abstract or not (an abstract one is a base or mixin of tables)."""
    return any(s.dotted in TORTOISE_BASES for s in index.mro(symbol))


def _is_tortoise_table(index: SymbolIndex, symbol: Symbol) -> bool:
    """Tortoise reads `abstract` from the class's own `Meta`: a subclass of an abstract model is a table."""
    if not is_tortoise(index, symbol):
        return False
    meta = index.class_fact(Symbol("class", symbol.module, f"{symbol.name}.Meta"))
    return not any(f.name == "abstract" and constant(f.value) is True for f in meta.fields) if meta else True


def model_kind(index: SymbolIndex, symbol: Symbol) -> str:
    """Which ORM declares the class's columns: "sqlmodel", "tortoise" or "sqlalchemy"."""
    if is_sqlmodel(index, symbol):
        return "sqlmodel"
    return "tortoise" if is_tortoise(index, symbol) else "sqlalchemy"


def is_table_model(index: SymbolIndex, symbol: Symbol) -> bool:
    if symbol.kind != "class":
        return False
    if is_sqlmodel(index, symbol) and _declares_table(index, symbol):
        return True
    return is_sqlalchemy_model(index, symbol) or _is_tortoise_table(index, symbol)


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
    defined = partial(_defined_table_models, project.index)
    return [model for facts in ordered for model in project.per_closure("table_models", facts, defined)]


def _defined_table_models(index: SymbolIndex, facts: ModuleFacts) -> list[Symbol]:
    """The table models a module defines: decided by the classes' bases, in its import closure."""
    return [Symbol("class", facts.module, cls.qualname) for cls in facts.classes
            if is_table_model(index, Symbol("class", facts.module, cls.qualname))]


def has_own_table(index: SymbolIndex, symbol: Symbol) -> bool:
    """False for SQLAlchemy single-table inheritance: a mapped subclass without its own table."""
    if is_sqlmodel(index, symbol) or is_tortoise(index, symbol):
        return True
    fact = index.class_fact(symbol)
    if fact is not None and any(f.name in ("__tablename__", "__table__") for f in fact.fields):
        return True
    return not any(is_table_model(index, s) for s in index.mro(symbol)[1:])
