"""The application: registers every router."""

from fastapi import FastAPI

from shop.api.v1.routers import orders, products

app = FastAPI(title="shop")
app.include_router(products.router, prefix="/api/v1")
app.include_router(orders.router, prefix="/api/v1")
