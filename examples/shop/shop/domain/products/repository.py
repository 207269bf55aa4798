"""Data access for products."""

from typing import Optional

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from shop.domain.products.model import Product
from shop.domain.shared.base_repository import BaseRepository


class ProductRepository(BaseRepository[Product]):
    def __init__(self, session: AsyncSession):
        super().__init__(session, Product)

    async def find_by_name(self, name: str) -> Optional[Product]:
        stmt = select(Product).where(
            Product.name == name,
            Product.deleted_at.is_(None),
        )
        result = await self.session.exec(stmt)
        return result.first()
