"""The order table."""

from datetime import datetime
from typing import Optional

from sqlmodel import Column, DateTime, Field, SQLModel, Text
from ulid import ULID

from shop.domain.shared.columns import utc_now


class Order(SQLModel, table=True):
    __tablename__ = "purchase_order"

    id: str = Field(default_factory=lambda: f"ord_{ULID()}", primary_key=True, max_length=30)
    product_id: str = Field(foreign_key="product.id", max_length=30)
    quantity: int = Field(default=1, ge=1)
    note: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))

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
