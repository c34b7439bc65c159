"""What approving a case does to its order, in the transaction that approves it.

A customer told "已为您取消" must find the order cancelled, so the case moves only together with its effect:
an approved cancel closes the order (its paid demand is released by the sku_demand triggers), an approved
address change writes the new receiver (the old one stays in the audit log), an approved intercept marks
the parcels still on their way, an approved switch of an oversold item changes its line to the variant chosen.
When the order has moved on meanwhile (shipped before a cancel was approved), nothing changes and
`CaseEffectRefused` says where the order is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from oms_client.addresses import moved
from oms_client.case_rules import CaseAction, CaseKind
from oms_client.domain import (
    TO_SHIP,
    UNSHIPPED,
    Case,
    CaseEffectRefused,
    OrderState,
    Receiver,
    TrackingState,
    order_key,
)
from oms_client.events import OutboundEvent, new_event, receiver_data
from oms_client.sql import models as m
from oms_client.sql.audit import audit_row


async def carry_out(
    conn: AsyncConnection, case: Case, action: CaseAction, actor: str, now: datetime
) -> list[OutboundEvent]:
    """The effect of `action` on the order, and the events that report it."""
    if action is not CaseAction.APPROVE:
        return []
    order = (await conn.execute(select(m.OrderRow).where(m.OrderRow.id == _order_id(case)))).one()
    if case.kind is CaseKind.CANCEL:
        return await _cancel(conn, case, order, actor, now)
    if case.kind is CaseKind.ADDRESS_CHANGE:
        return await _readdress(conn, case, order, actor, now)
    if case.kind is CaseKind.INTERCEPT:
        return await _intercept(conn, case, order, now)
    if case.kind is CaseKind.EXCHANGE and "switch_to" in case.detail:
        return await _switch(conn, case, order, actor, now)
    return []


def _order_id(case: Case) -> Any:
    cases = m.AfterSalesCaseRow
    return select(cases.order_id).where(cases.id == case.id).scalar_subquery()


async def _cancel(conn: AsyncConnection, case: Case, order: Any, actor: str, now: datetime) -> list[OutboundEvent]:
    await _claim_unshipped(conn, case, order, {"state": OrderState.CANCELLED})
    detail = {"case": case.id, "from": order.state, "to": OrderState.CANCELLED}
    await _audit(conn, actor, "order.cancel", order, detail, now)
    data = {"case_id": case.id, "previous_state": order.state}
    return [new_event("order.cancelled", case.platform, case.order_no, data, now)]


async def _readdress(conn: AsyncConnection, case: Case, order: Any, actor: str, now: datetime) -> list[OutboundEvent]:
    old = Receiver(
        order.receiver_name,
        order.receiver_phone,
        order.receiver_province,
        order.receiver_city,
        order.receiver_district,
        order.receiver_detail,
    )
    new = moved(old, str(case.detail.get("address", "")))
    values = {
        "receiver_province": new.province,
        "receiver_city": new.city,
        "receiver_district": new.district,
        "receiver_detail": new.detail,
    }
    await _claim_unshipped(conn, case, order, values)
    detail = {"case": case.id, "from": receiver_data(old), "to": receiver_data(new)}
    await _audit(conn, actor, "order.address_change", order, detail, now)
    data = {"case_id": case.id, "receiver": receiver_data(new)}
    return [new_event("order.address_changed", case.platform, case.order_no, data, now)]


async def _intercept(conn: AsyncConnection, case: Case, order: Any, now: datetime) -> list[OutboundEvent]:
    shipment = m.ShipmentRow
    on_the_way = (
        update(shipment)
        .where(
            shipment.order_id == order.id,
            shipment.intercept_requested_at.is_(None),
            (shipment.last_event_state.is_(None)) | (shipment.last_event_state != TrackingState.SIGNED),
        )
        .values(intercept_requested_at=now)
        .returning(shipment.courier, shipment.tracking_no)
    )
    marked = (await conn.execute(on_the_way)).all()
    if not marked and order.state != OrderState.SHIPPED:
        raise CaseEffectRefused(case, OrderState(order.state))
    return [
        new_event(
            "shipment.intercept_requested",
            case.platform,
            case.order_no,
            {"case_id": case.id, "courier": row.courier, "tracking_no": row.tracking_no},
            now,
        )
        for row in marked
    ]


async def _switch(conn: AsyncConnection, case: Case, order: Any, actor: str, now: datetime) -> list[OutboundEvent]:
    """An oversold item not yet shipped becomes the variant the customer chose: its line's SKU and title change,
    and with them the demand on both SKUs (by the store's triggers)."""
    line, sku = m.OrderLineRow, m.SkuRow
    before, after = case.detail["switch_from"], case.detail["switch_to"]
    title = select(sku.title).where(sku.sku == after).scalar_subquery()
    waiting = (line.order_id == order.id, line.sku == before, line.shipment_id.is_(None))
    moved = await conn.execute(update(line).where(*waiting).values(sku=after, title=title))
    if order.state not in TO_SHIP or not moved.rowcount:
        raise CaseEffectRefused(case, OrderState(order.state))
    orders = m.OrderRow
    await conn.execute(update(orders).where(orders.id == order.id).values(version=orders.version + 1))
    detail = {"case": case.id, "from": before, "to": after}
    await _audit(conn, actor, "order.variant_switched", order, detail, now)
    data = {"case_id": case.id, "from_sku": before, "to_sku": after}
    return [new_event("order.variant_switched", case.platform, case.order_no, data, now)]


async def _claim_unshipped(conn: AsyncConnection, case: Case, order: Any, values: dict[str, Any]) -> None:
    """Change the order only while it is still unshipped, checked by the UPDATE itself (an import or the
    API may ship it between the read and the write)."""
    orders = m.OrderRow
    result = await conn.execute(
        update(orders)
        .where(orders.id == order.id, orders.state.in_(UNSHIPPED))
        .values(version=orders.version + 1, **values)
    )
    if result.rowcount != 1:
        state = await conn.scalar(select(orders.state).where(orders.id == order.id))
        raise CaseEffectRefused(case, OrderState(str(state)))


async def _audit(
    conn: AsyncConnection, actor: str, action: str, order: Any, detail: dict[str, Any], now: datetime
) -> None:
    subject = ("order", order_key(order.platform, order.order_no))
    await conn.execute(insert(m.AuditLogRow), [audit_row(actor, action, subject, detail, now)])
