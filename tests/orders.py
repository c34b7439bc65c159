"""Orders written to the store exactly as a test needs them: state, items, parcel and when it was signed."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from oms_client.domain import UNSHIPPED, OrderState, TrackingState
from oms_client.sql import models as m
from oms_client.sql.database import Database
from tests.conftest import NOW

ITEMS = (("TEE-BLK-M", "纯棉T恤 黑色 M"), ("JEANS-32", "直筒牛仔裤 32码"), ("CAP-01", "棒球帽"))
_numbers = itertools.count(1)


@dataclass(frozen=True)
class PlacedOrder:
    order_no: str
    phone_tail: str
    platform: str = "tmall"
    tracking_no: str | None = None


async def add_order(
    database: Database,
    state: OrderState,
    *,
    items: int = 1,
    signed_days_ago: float | None = None,
    courier: str = "SF",
    phone: str = "13812345678",
    shipped_ago: timedelta = timedelta(days=18),
) -> PlacedOrder:
    """One customer's order; shipped states get a parcel (sent `shipped_ago`, its latest scan 3 hours ago), and
    `signed_days_ago` a signed event."""
    serial = next(_numbers)
    order_no = f"{4100000000000000000 + serial}"
    shipped = state not in UNSHIPPED | {OrderState.CANCELLED, OrderState.CLOSED}
    async with database.write.begin() as conn:
        await _ensure_catalogue(conn)
        customer = await conn.scalar(
            insert(m.CustomerRow).values(name="张三", phone=phone, created_at=NOW).returning(m.CustomerRow.id)
        )
        order_id = await conn.scalar(insert(m.OrderRow).values(_order(order_no, state, customer, phone, items))
                                     .returning(m.OrderRow.id))  # fmt: skip
        lines = [{"order_id": order_id, "sku": sku, "title": title, "qty": 1, "unit_price": Decimal("99.00")}
                 for sku, title in ITEMS[:items]]  # fmt: skip
        await conn.execute(insert(m.OrderLineRow), lines)
        tracking_no = f"SF{1400000000000 + serial}" if shipped else None
        if tracking_no:
            await _parcel(conn, order_id, courier, tracking_no, signed_days_ago, NOW - shipped_ago)
    return PlacedOrder(order_no, phone[-4:], tracking_no=tracking_no)


def _order(order_no: str, state: OrderState, customer: int, phone: str, items: int) -> dict[str, object]:
    return {
        "platform": "tmall",
        "order_no": order_no,
        "customer_id": customer,
        "state": state,
        "created_at": NOW - timedelta(days=20),
        "paid_at": None if state is OrderState.PENDING_PAYMENT else NOW - timedelta(days=20),
        "promised_ship_by": NOW + timedelta(days=1),
        "total": Decimal("99.00") * items,
        "receiver_name": "张三",
        "receiver_phone": phone,
        "receiver_province": "浙江省",
        "receiver_city": "杭州市",
        "receiver_district": "西湖区",
        "receiver_detail": "文三路 1 号",
    }


async def _ensure_catalogue(conn: AsyncConnection) -> None:
    if await conn.scalar(select(m.WarehouseRow.code).where(m.WarehouseRow.code == "HZ1")):
        return
    await conn.execute(insert(m.WarehouseRow), [{"code": "HZ1", "name": "杭州仓", "city": "杭州"}])
    skus = [{"sku": sku, "title": title, "price": Decimal("99.00")} for sku, title in ITEMS]
    await conn.execute(insert(m.SkuRow), skus)
    # In stock: an order placed here is oversold only where a test makes it so.
    await conn.execute(insert(m.StockRow), [{"sku": sku, "warehouse": "HZ1", "on_hand": 1000} for sku, _ in ITEMS])


async def add_delivered(database: Database, courier: str, province: str, hours: Sequence[float]) -> None:
    """Parcels from the HZ1 warehouse to `province` that took these many hours, signed in the last days."""
    async with database.write.begin() as conn:
        await _ensure_catalogue(conn)
        customer = await conn.scalar(
            insert(m.CustomerRow).values(name="李四", phone="13500000000", created_at=NOW).returning(m.CustomerRow.id)
        )
        for index, took in enumerate(hours):
            order_no = f"{4200000000000000000 + next(_numbers)}"
            row = _order(order_no, OrderState.COMPLETED, customer, "13500000000", 1) | {"receiver_province": province}
            order_id = await conn.scalar(insert(m.OrderRow).values(row).returning(m.OrderRow.id))
            signed = NOW - timedelta(days=1, hours=index)
            await conn.execute(insert(m.ShipmentRow).values(
                order_id=order_id, warehouse="HZ1", courier=courier, tracking_no=f"T{order_no}",
                shipped_at=signed - timedelta(hours=took), last_event_at=signed,
                last_event_state=TrackingState.SIGNED, last_event_text="已签收"))  # fmt: skip


async def _parcel(
    conn: AsyncConnection,
    order_id: int,
    courier: str,
    tracking_no: str,
    signed_days_ago: float | None,
    shipped_at: datetime,
) -> None:
    signed = NOW - timedelta(days=signed_days_ago) if signed_days_ago is not None else None
    last_at, last_state = (
        (signed, TrackingState.SIGNED) if signed else (NOW - timedelta(hours=3), TrackingState.IN_TRANSIT)
    )
    shipment = {
        "order_id": order_id,
        "warehouse": "HZ1",
        "courier": courier,
        "tracking_no": tracking_no,
        "shipped_at": shipped_at,
        "expected_delivery": None,
        "last_event_at": last_at,
        "last_event_state": last_state,
        "last_event_text": "已签收" if signed else "运输中",
    }
    shipment_id = await conn.scalar(insert(m.ShipmentRow).values(shipment).returning(m.ShipmentRow.id))
    events = [{"shipment_id": shipment_id, "at": shipped_at, "place": "杭州", "text": "已揽收", "state": "collected"},
              {"shipment_id": shipment_id, "at": last_at, "place": "杭州", "text": "已签收" if signed else "运输中",
               "state": last_state}]  # fmt: skip
    await conn.execute(insert(m.TrackingEventRow), events)
