"""Request and response bodies for orders."""

from datetime import datetime
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field


class OrderResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    product_id: str
    quantity: int
    note: Optional[str]
    created_at: datetime


class OrderCreateRequest(BaseModel):
    model_config = {"extra": "forbid"}

    product_id: str = Field(..., min_length=1, max_length=30)
    quantity: int = Field(default=1, ge=1)
    note: Optional[str] = None
