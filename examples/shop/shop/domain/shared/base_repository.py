"""Generic async CRUD that every repository extends; soft delete is built in."""

from datetime import datetime, timezone
from typing import Generic, TypeVar

from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

ModelT = TypeVar("ModelT", bound=SQLModel)


class BaseRepository(Generic[ModelT]):
    def __init__(self, session: AsyncSession, model: type[ModelT]):
        self.session = session
        self.model = model

    async def get_by_id(self, entity_id: str) -> ModelT | None:
        stmt = select(self.model).where(
            col(self.model.id) == entity_id,
            col(self.model.deleted_at).is_(None),
        )
        result = await self.session.exec(stmt)
        return result.first()

    async def list_active(self, limit: int = 50, offset: int = 0) -> list[ModelT]:
        stmt = select(self.model).where(col(self.model.deleted_at).is_(None)).offset(offset).limit(limit)
        result = await self.session.exec(stmt)
        return list(result.all())

    async def add(self, entity: ModelT) -> ModelT:
        self.session.add(entity)
        await self.session.flush()
        await self.session.refresh(entity)
        return entity

    async def soft_delete(self, entity: ModelT) -> None:
        entity.deleted_at = datetime.now(tz=timezone.utc)
        self.session.add(entity)
        await self.session.flush()
