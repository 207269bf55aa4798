"""Recognising database work: sessions, session methods and SQL statement constructors."""

from __future__ import annotations

from layerlint.project.index.annotated import annotated_parts
from layerlint.project.index.symbols import SymbolIndex
from layerlint.project.reading.expr import Expr, Subscript, dotted
from layerlint.project.reading.facts import FunctionFact

SESSION_CLASSES = frozenset({
    "sqlalchemy.orm.Session", "sqlalchemy.orm.session.Session", "sqlalchemy.ext.asyncio.AsyncSession",
    "sqlalchemy.ext.asyncio.session.AsyncSession", "sqlmodel.Session", "sqlmodel.ext.asyncio.session.AsyncSession",
    "sqlmodel.orm.session.Session",
})
STATEMENT_BUILDERS = frozenset({"select", "insert", "update", "delete"})
STATEMENT_MODULES = ("sqlalchemy", "sqlmodel")
SESSION_NAMES = frozenset({"session", "db", "db_session", "async_session", "_session", "_db"})
DATABASE_METHODS = frozenset({"execute", "exec", "scalars", "scalar", "get", "add", "add_all", "delete",
                              "merge", "commit", "flush", "refresh"})
# Reading or running SQL. `add`/`delete`/`merge` stage objects in the unit of work, which
# services that coordinate repositories commonly do; hard deletes are judged on their own.
QUERY_METHODS = frozenset({"execute", "exec", "scalars", "scalar", "get", "stream", "stream_scalars",
                           "get_one"})


def statement_builder(index: SymbolIndex, module: str, func: Expr) -> str | None:
    """`select`/`insert`/`update`/`delete` when `func` resolves to SQLAlchemy's or SQLModel's."""
    symbol = index.resolve_expr(module, func)
    name = symbol.dotted.rsplit(".", 1)[-1]
    if symbol.kind == "external" and name in STATEMENT_BUILDERS and symbol.dotted.startswith(STATEMENT_MODULES):
        return name
    return None


def session_parameters(index: SymbolIndex, module: str, function: FunctionFact) -> set[str]:
    """Parameters that hold a session: by annotation (also inside Annotated), or by name."""
    result: set[str] = set()
    for param in function.params:
        if param.name in SESSION_NAMES or _annotation_is_session(index, module, param.annotation):
            result.add(param.name)
    return result


def _annotation_is_session(index: SymbolIndex, module: str, annotation: Expr | None) -> bool:
    if annotation is None:
        return False
    if isinstance(annotation, Subscript):  # Annotated[AsyncSession, Depends(...)]
        parts = annotated_parts(index, module, annotation)
        return parts is not None and _annotation_is_session(index, module, parts[0])
    symbol = index.resolve_expr(module, annotation)
    if symbol.dotted in SESSION_CLASSES:
        return True
    if symbol.kind == "assign":  # a module-level alias such as ReadSession = Annotated[...]
        event = index.assignment(symbol)
        return event is not None and _annotation_is_session(index, symbol.module, event.value)
    return False


def is_session_receiver(receiver: Expr, session_names: set[str]) -> bool:
    """`session`, a session parameter, or `self.session`/`self._session`/`self.db`."""
    name = dotted(receiver)
    if name is None:
        return False
    if "." not in name:
        return name in session_names
    owner, _, attribute = name.rpartition(".")
    return owner == "self" and attribute in SESSION_NAMES
