"""Which classes are table models: SQLModel `table=True`, or SQLAlchemy declarative mapped classes."""

from __future__ import annotations

from layerlint.project.expr import constant, dotted, is_call
from layerlint.project.symbols import Symbol, SymbolIndex

SQLMODEL_BASES = frozenset({"sqlmodel.SQLModel", "sqlmodel.main.SQLModel"})
DECLARATIVE_BASES = frozenset({
    "sqlalchemy.orm.DeclarativeBase", "sqlalchemy.orm.DeclarativeBaseNoMeta",
    "sqlalchemy.orm.decl_api.DeclarativeBase", "sqlalchemy.ext.asyncio.AsyncAttrs",
})
DECLARATIVE_FACTORIES = frozenset({
    "sqlalchemy.orm.declarative_base", "sqlalchemy.ext.declarative.declarative_base",
    "sqlalchemy.orm.decl_api.declarative_base",
})


def _declares_table_keyword(index: SymbolIndex, symbol: Symbol) -> bool:
    fact = index.class_fact(symbol)
    return fact is not None and constant(fact.keywords.get("table")) is True


def _is_declarative_root(index: SymbolIndex, symbol: Symbol) -> bool:
    if symbol.dotted in DECLARATIVE_BASES:
        return True
    if symbol.kind == "assign":  # Base = declarative_base()
        event = index.assignment(symbol)
        if event is not None and is_call(event.value):
            assert event.value is not None
            factory = index.resolve_expr(symbol.module, event.value[1])
            return factory.dotted in DECLARATIVE_FACTORIES or (dotted(event.value[1]) or "").endswith(
                "declarative_base")
    return False


def is_sqlalchemy_model(index: SymbolIndex, symbol: Symbol) -> bool:
    mro = index.mro(symbol)
    if not any(_is_declarative_root(index, s) for s in mro[1:]):
        return False
    fact = index.class_fact(symbol)
    if fact is None:
        return False
    names = {f.name: f for f in fact.fields}
    if constant(names["__abstract__"].value) is True if "__abstract__" in names else False:
        return False
    if "__tablename__" in names or "__table__" in names:
        return True
    return any(f.annotation is not None and (dotted(f.annotation[1]) if f.annotation[0] == "s" else "") in (
        "Mapped", "orm.Mapped", "sqlalchemy.orm.Mapped") for f in fact.fields)


def is_table_model(index: SymbolIndex, symbol: Symbol) -> bool:
    if symbol.kind != "class":
        return False
    if _declares_table_keyword(index, symbol) and any(s.dotted in SQLMODEL_BASES for s in index.mro(symbol)):
        return True
    return is_sqlalchemy_model(index, symbol)
