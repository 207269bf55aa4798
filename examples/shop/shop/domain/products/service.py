"""Business rules for products."""

from sqlmodel.ext.asyncio.session import AsyncSession

from shop.core.exceptions import ConflictError, NotFoundError
from shop.domain.products.model import Product
from shop.domain.products.repository import ProductRepository
from shop.dtos.products import ProductCreateRequest, ProductResponse


class ProductService:
    def __init__(self, session: AsyncSession):
        self.session = session
        self._repository = ProductRepository(session)

    async def get_product(self, product_id: str) -> ProductResponse:
        product = await self._repository.get_by_id(product_id)
        if not product:
            raise NotFoundError(f"Product {product_id} not found")
        return ProductResponse.model_validate(product)

    async def list_products(self, limit: int, offset: int) -> list[ProductResponse]:
        products = await self._repository.list_active(limit=limit, offset=offset)
        return [ProductResponse.model_validate(p) for p in products]

    async def create_product(self, request: ProductCreateRequest) -> ProductResponse:
        if await self._repository.find_by_name(request.name):
            raise ConflictError(f"Product {request.name} already exists")
        product = await self._repository.add(Product(name=request.name, price=request.price))
        return ProductResponse.model_validate(product)

    async def delete_product(self, product_id: str) -> None:
        product = await self._repository.get_by_id(product_id)
        if not product:
            raise NotFoundError(f"Product {product_id} not found")
        await self._repository.soft_delete(product)
