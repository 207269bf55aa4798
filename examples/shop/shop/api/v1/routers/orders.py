"""HTTP endpoints for orders; sessions come through the shared Annotated aliases."""

from fastapi import APIRouter

from shop.core.db import ReadSession, WriteSession
from shop.domain.orders.service import OrderService
from shop.dtos.orders import OrderCreateRequest, OrderResponse

router = APIRouter(prefix="/orders", tags=["orders"])


@router.get("/{order_id}")
async def get_order(order_id: str, session: ReadSession) -> OrderResponse:
    return await OrderService(session).get_order(order_id)


@router.post("", status_code=201)
async def place_order(request: OrderCreateRequest, session: WriteSession) -> OrderResponse:
    return await OrderService(session).place_order(request)
