"""The ingestion API's bodies as pydantic models (DESIGN: Ingestion API): they check what comes in, and
their JSON Schemas are the OpenAPI document's components, so the document cannot drift from the code."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from oms_client.domain import OrderState, Platform, TrackingState
from oms_client.imports.fields import courier

BATCH_MAX = 1_000
Text = Annotated[str, Field(min_length=1, max_length=200)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _known_courier(name: str) -> str:
    if courier(name) is None:
        raise ValueError("unknown courier: use the name customers know (顺丰速运, 中通快递, 京东快递) or its code (SF)")
    return name


class Buyer(Strict):
    id: str | None = Field(default=None, max_length=64)
    nick: str | None = Field(default=None, max_length=64)


class ReceiverIn(Strict):
    name: Annotated[str, Field(min_length=1, max_length=64)]
    phone: Annotated[str, Field(pattern=r"^\+?[0-9][0-9 -]{5,19}$")]
    province: Annotated[str, Field(max_length=32)]
    city: Annotated[str, Field(max_length=32)]
    district: Annotated[str, Field(max_length=32)]
    address: Text


class LineIn(Strict):
    sku: Annotated[str, Field(min_length=1, max_length=40)]
    title: Text
    qty: Annotated[int, Field(ge=1, le=100_000)]
    price: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]


class ShipmentIn(Strict):
    courier: Annotated[str, Field(max_length=32, description="顺丰速运, 中通快递, … or a code: SF, ZTO, JD")]
    tracking_no: Annotated[str, Field(pattern=r"^[A-Za-z0-9]{6,32}$")]
    shipped_at: AwareDatetime | None = None
    skus: list[str] | None = Field(default=None, description="accepted, not yet kept: parcels hold the order")

    _courier = field_validator("courier")(_known_courier)


class OrderIn(Strict):
    platform: Platform
    order_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{4,32}$")]
    status: OrderState
    created_at: AwareDatetime
    paid_at: AwareDatetime | None = None
    ship_by: AwareDatetime | None = None
    buyer: Buyer | None = None
    receiver: ReceiverIn
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=200)]
    shipments: Annotated[list[ShipmentIn], Field(max_length=20)] = []
    note: str | None = Field(default=None, max_length=500)


class TrackingEventIn(Strict):
    courier: Annotated[str, Field(max_length=32)]
    tracking_no: Annotated[str, Field(pattern=r"^[A-Za-z0-9]{6,32}$")]
    time: AwareDatetime
    state: TrackingState
    text: Text
    location: str | None = Field(default=None, max_length=64)

    _courier = field_validator("courier")(_known_courier)


class StockIn(Strict):
    sku: Annotated[str, Field(min_length=1, max_length=40)]
    warehouse: Annotated[str, Field(min_length=1, max_length=16)]
    on_hand: Annotated[int, Field(ge=0, le=100_000_000)]


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
