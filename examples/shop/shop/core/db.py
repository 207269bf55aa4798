"""Engines, sessions and the read/write session dependencies."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

write_engine = create_async_engine("postgresql+asyncpg://shop@primary/shop")
read_engine = create_async_engine("postgresql+asyncpg://shop@replica/shop")
write_sessions = async_sessionmaker(write_engine, class_=AsyncSession, expire_on_commit=False)
read_sessions = async_sessionmaker(read_engine, class_=AsyncSession, expire_on_commit=False)


async def get_read_session_dependency() -> AsyncIterator[AsyncSession]:
    async with read_sessions() as session:
        yield session


async def get_write_session_dependency() -> AsyncIterator[AsyncSession]:
    async with write_sessions() as session:
        async with session.begin():
            yield session


ReadSession = Annotated[AsyncSession, Depends(get_read_session_dependency)]
WriteSession = Annotated[AsyncSession, Depends(get_write_session_dependency)]
