"""An order as JSON, the one shape the ingestion API takes (POST /api/v1/orders) and an external OMS answers
with (DESIGN: Ingestion API, external OMS): checked by pydantic, then turned into the store's terms."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from oms_client.domain import BEFORE_BALANCE, Courier, OrderLine, OrderState, Platform, Presale, Receiver
from oms_client.imports.fields import courier
from oms_client.imports.records import ImportedOrder, ImportedShipment

Text = Annotated[str, Field(min_length=1, max_length=200)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def known_courier_name(name: str) -> str:
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
    skus: list[Annotated[str, Field(min_length=1, max_length=40)]] | None = Field(
        default=None, max_length=200, description="the order's lines it carries (拆单); absent: the whole order"
    )

    _courier = field_validator("courier")(known_courier_name)


class PresaleIn(Strict):
    """A presale (预售) order's terms: the deposit paid, the balance's window, the days to dispatch after it."""

    deposit: Annotated[Decimal | None, Field(default=None, ge=0, max_digits=12, decimal_places=2)]
    balance_from: AwareDatetime | None = None
    balance_due: AwareDatetime | None = None
    ship_days: Annotated[int | None, Field(default=None, ge=0, le=365, description="付尾款后 N 天内发货")]

    @model_validator(mode="after")
    def _window(self) -> PresaleIn:
        if self.balance_from and self.balance_due and self.balance_due < self.balance_from:
            raise ValueError("balance_due is before balance_from")
        return self


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
    presale: PresaleIn | None = None

    @model_validator(mode="after")
    def _presale_states(self) -> OrderIn:
        if self.status in BEFORE_BALANCE and self.presale is None:
            raise ValueError(f"status {self.status.value} is a presale order's: give its `presale` terms")
        return self


def imported(order: OrderIn) -> ImportedOrder:
    receiver, buyer = order.receiver, order.buyer
    return ImportedOrder(
        platform=order.platform,
        order_no=order.order_id,
        state=_state(order),
        created_at=order.created_at,
        paid_at=order.paid_at,
        total=sum((line.qty * line.price for line in order.lines), start=Decimal(0)),
        receiver=Receiver(
            receiver.name, receiver.phone, receiver.province, receiver.city, receiver.district, receiver.address
        ),
        buyer=(buyer.nick or buyer.id or "") if buyer else "",
        lines=tuple(OrderLine(line.sku, line.title, line.qty, line.price) for line in order.lines),
        shipments=tuple(
            ImportedShipment(known_courier(s.courier), s.tracking_no, s.shipped_at, tuple(s.skus or ()))
            for s in order.shipments
        ),
        ship_by=order.ship_by,
        note=order.note or "",
        presale=presale(order.presale),
    )


def _state(order: OrderIn) -> OrderState:
    """`shipped` with parcels that name their lines and leave some out is part-shipped: those lines still wait."""
    carried = {sku for shipment in order.shipments for sku in shipment.skus or ()}
    if order.status is OrderState.SHIPPED and carried and any(line.sku not in carried for line in order.lines):
        return OrderState.PART_SHIPPED
    return order.status


def presale(terms: PresaleIn | None) -> Presale | None:
    if terms is None:
        return None
    return Presale(terms.deposit, terms.balance_from, terms.balance_due, terms.ship_days)


def known_courier(name: str) -> Courier:
    found = courier(name)
    assert found is not None  # the models let only known couriers through
    return found
