"""HTTP endpoints for products."""

from fastapi import APIRouter, Depends, Query
from sqlmodel.ext.asyncio.session import AsyncSession

from shop.core.db import get_read_session_dependency, get_write_session_dependency
from shop.domain.products.service import ProductService
from shop.dtos.products import ProductCreateRequest, ProductResponse

router = APIRouter(prefix="/products", tags=["products"])


@router.get("")
async def list_products(
    limit: int = Query(default=50, le=200),
    offset: int = Query(default=0, ge=0),
    session: AsyncSession = Depends(get_read_session_dependency),
) -> list[ProductResponse]:
    return await ProductService(session).list_products(limit, offset)


@router.get("/{product_id}")
async def get_product(
    product_id: str,
    session: AsyncSession = Depends(get_read_session_dependency),
) -> ProductResponse:
    return await ProductService(session).get_product(product_id)


@router.post("", status_code=201)
async def create_product(
    request: ProductCreateRequest,
    session: AsyncSession = Depends(get_write_session_dependency),
) -> ProductResponse:
    return await ProductService(session).create_product(request)


@router.delete("/{product_id}", status_code=204)
async def delete_product(
    product_id: str,
    session: AsyncSession = Depends(get_write_session_dependency),
) -> None:
    await ProductService(session).delete_product(product_id)
