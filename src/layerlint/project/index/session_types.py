"""A database session by type: what every layer asks of an annotation or an inferred type.

The roles (which place a data-access module by the session parameters of its functions) sit below
the session analysis (`orm/sessions.py`, which adds names, locals, factories and attributes);
both read an annotation here, so that a parameter is a session to both or to neither.
"""

from __future__ import annotations

from layerlint.project.index.libraries import SESSION_CLASSES, SYNC_SESSION_CLASSES
from layerlint.project.index.symbols import SymbolIndex
from layerlint.project.index.types import TypeRef, TypeResolver, alternatives, handed_out
from layerlint.project.reading.expr import Attribute, Expr, Name
from layerlint.project.reading.facts import FunctionFact


def is_session_type(found: TypeRef | None) -> bool:
    """A session, or a union of one with None; not a container or factory of sessions."""
    if found is None:
        return False
    return any(t.symbol.dotted in SESSION_CLASSES for t in alternatives(found))


def is_sync_session_type(found: TypeRef | None) -> bool:
    """A synchronous `Session` (its queries block; they are not awaited)."""
    return found is not None and found.symbol.dotted in SYNC_SESSION_CLASSES


def is_session_annotation(index: SymbolIndex, module: str, annotation: Expr | None) -> bool:
    """`AsyncSession`, `Session | None`, `Optional[Session]`, `Annotated[AsyncSession, Depends(...)]`,
    a string of one, or a module-level alias of one (in any module)."""
    if annotation is None:
        return False
    if isinstance(annotation, (Name, Attribute)):  # most annotations: the resolver would say the same, slower
        symbol = index.resolve_expr(module, annotation)
        if symbol.kind != "assign":
            return symbol.dotted in SESSION_CLASSES
    return is_session_type(TypeResolver(index).annotation(module, annotation))


def hands_out_session_type(index: SymbolIndex, module: str, returns: Expr | None) -> bool:
    """A function annotated to return a session, or to yield one or be entered for one
    (`-> AsyncIterator[AsyncSession]`, `-> AbstractAsyncContextManager[AsyncSession]`); not a factory
    of sessions (`async_sessionmaker[AsyncSession]`) or a tuple holding one."""
    return is_session_type(handed_out(index, module, returns))


def session_annotated_parameters(index: SymbolIndex, module: str, function: FunctionFact) -> set[str]:
    """The parameters annotated as a session."""
    return {p.name for p in function.params if is_session_annotation(index, module, p.annotation)}
