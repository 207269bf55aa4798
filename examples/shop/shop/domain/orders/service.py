"""Business rules for orders."""

from sqlmodel.ext.asyncio.session import AsyncSession

from shop.core.exceptions import NotFoundError
from shop.domain.orders.model import Order
from shop.domain.orders.repository import OrderRepository
from shop.domain.products.service import ProductService
from shop.dtos.orders import OrderCreateRequest, OrderResponse


class OrderService:
    def __init__(self, session: AsyncSession):
        self.session = session
        self._repository = OrderRepository(session)
        self._products = ProductService(session)

    async def place_order(self, request: OrderCreateRequest) -> OrderResponse:
        await self._products.get_product(request.product_id)
        order = await self._repository.add(
            Order(product_id=request.product_id, quantity=request.quantity, note=request.note)
        )
        return OrderResponse.model_validate(order)

    async def get_order(self, order_id: str) -> OrderResponse:
        order = await self._repository.get_by_id(order_id)
        if order is None:
            raise NotFoundError(f"Order {order_id} not found")
        return OrderResponse.model_validate(order)

    async def orders_for_products(self, product_ids: list[str]) -> list[OrderResponse]:
        orders = await self._repository.list_for_products(product_ids)
        return [OrderResponse.model_validate(o) for o in orders]
