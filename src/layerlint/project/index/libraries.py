"""Library classes the index recognises by what a name resolves to, where every layer above asks
(the session analysis in `orm/sessions.py`, the CRUD calls in `orm/crud_libraries.py`, the roles
that content and use decide)."""

from __future__ import annotations

from layerlint.project.index.symbols import Symbol, SymbolIndex

SYNC_SESSION_CLASSES = frozenset({
    "sqlalchemy.orm.Session", "sqlalchemy.orm.session.Session", "sqlmodel.Session", "sqlmodel.orm.session.Session",
})
SESSION_CLASSES = SYNC_SESSION_CLASSES | frozenset({
    "sqlalchemy.ext.asyncio.AsyncSession", "sqlalchemy.ext.asyncio.session.AsyncSession",
    "sqlmodel.ext.asyncio.session.AsyncSession",
})

# CRUD helper libraries' classes, by top-level package: an object of one (or of a project class
# extending one) is a repository over the table model it is built for.
CRUD_CLASSES: dict[str, frozenset[str]] = {
    "fastcrud": frozenset({"FastCRUD"}),
    "sqlalchemy_crud_plus": frozenset({"CRUDPlus"}),
    "advanced_alchemy": frozenset({"SQLAlchemyAsyncRepository", "SQLAlchemySyncRepository",
                                   "SQLAlchemyAsyncRepositoryService", "SQLAlchemySyncRepositoryService"}),
}


def is_crud_class(dotted: str) -> bool:
    """`dotted` (a resolved external name) is a CRUD library's class."""
    package, _, name = dotted.rpartition(".")
    return name in CRUD_CLASSES.get(package.split(".", 1)[0], frozenset())


def crud_base(index: SymbolIndex, symbol: Symbol) -> Symbol | None:
    """The CRUD library class `symbol` is or extends (an external name), if any."""
    owners = index.mro(symbol) if symbol.kind == "class" else (symbol,)
    return next((owner for owner in owners if owner.kind == "external" and is_crud_class(owner.dotted)), None)
