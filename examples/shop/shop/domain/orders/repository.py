"""Data access for orders."""

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shop.domain.orders.model import Order
from shop.domain.shared.base_repository import BaseRepository


class OrderRepository(BaseRepository[Order]):
    def __init__(self, session: AsyncSession):
        super().__init__(session, Order)

    async def list_for_products(self, product_ids: list[str]) -> list[Order]:
        stmt = select(Order).where(col(Order.product_id).in_(product_ids))
        stmt = stmt.where(col(Order.deleted_at).is_(None))
        result = await self.session.exec(stmt)
        return list(result.all())
