"""Library classes the index recognises by what a name resolves to, where every layer above asks
(the session analysis in `orm/sessions.py`, the roles that content and use decide)."""

from __future__ import annotations

SYNC_SESSION_CLASSES = frozenset({
    "sqlalchemy.orm.Session", "sqlalchemy.orm.session.Session", "sqlmodel.Session", "sqlmodel.orm.session.Session",
})
SESSION_CLASSES = SYNC_SESSION_CLASSES | frozenset({
    "sqlalchemy.ext.asyncio.AsyncSession", "sqlalchemy.ext.asyncio.session.AsyncSession",
    "sqlmodel.ext.asyncio.session.AsyncSession",
})
