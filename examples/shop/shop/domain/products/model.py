"""The product table."""

from datetime import datetime
from decimal import Decimal
from typing import Optional

from sqlmodel import Column, DateTime, Field, SQLModel, Text
from ulid import ULID

from shop.domain.shared.columns import utc_now


def new_product_id() -> str:
    return f"prd_{ULID()}"


class Product(SQLModel, table=True):
    __tablename__ = "product"

    id: str = Field(default_factory=new_product_id, primary_key=True, max_length=30)
    name: str = Field(sa_column=Column(Text, nullable=False))
    price: Decimal = Field(default=Decimal("0"), max_digits=12, decimal_places=2)

    deleted_at: Optional[datetime] = Field(
        sa_column=Column(DateTime(timezone=True), nullable=True),
        default=None,
    )
    created_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False),
        default_factory=utc_now,
    )
    updated_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False),
        default_factory=utc_now,
    )
