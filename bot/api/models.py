"""The ingestion API's bodies as pydantic models (DESIGN: Ingestion API): they check what comes in, and
their JSON Schemas are the OpenAPI document's components, so the document cannot drift from the code."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, Field, field_validator

from oms_client.domain import Platform, TrackingState
from oms_client.imports.wire import OrderIn, Strict, Text, known_courier_name

BATCH_MAX = 1_000


class TrackingEventIn(Strict):
    courier: Annotated[str, Field(max_length=32)]
    tracking_no: Annotated[str, Field(pattern=r"^[A-Za-z0-9]{6,32}$")]
    time: AwareDatetime
    state: TrackingState
    text: Text
    location: str | None = Field(default=None, max_length=64)

    _courier = field_validator("courier")(known_courier_name)


class StockIn(Strict):
    sku: Annotated[str, Field(min_length=1, max_length=40)]
    warehouse: Annotated[str, Field(min_length=1, max_length=16)]
    on_hand: Annotated[int, Field(ge=0, le=100_000_000)]
    restock_at: AwareDatetime | None = Field(default=None, description="when more is expected in this warehouse")
    product: str | None = Field(
        default=None, max_length=40, description="the product this SKU is a variant of (商家编码-商品维度)"
    )


class OrderBatch(Strict):
    orders: Annotated[list[OrderIn], Field(min_length=1, max_length=BATCH_MAX)]


class TrackingBatch(Strict):
    events: Annotated[list[TrackingEventIn], Field(min_length=1, max_length=BATCH_MAX)]


class StockBatch(Strict):
    stock: Annotated[list[StockIn], Field(min_length=1, max_length=BATCH_MAX)]


class ItemError(BaseModel):
    index: int
    error: str


class BatchResult(BaseModel):
    created: int
    updated: int
    unchanged: int
    errors: list[ItemError]


class CaseOut(BaseModel):
    id: int
    platform: Platform
    order_id: str
    kind: str
    state: str
    reason: str
    created_at: datetime
    updated_at: datetime


class AlertOut(BaseModel):
    id: int
    kind: str
    subject: str
    severity: str
    status: str
    first_seen: datetime
    last_seen: datetime
    detail: dict[str, Any]


class Problem(BaseModel):
    """A refused request: what is wrong and, for a bad body, which field."""

    error: str
    field: str | None = None
