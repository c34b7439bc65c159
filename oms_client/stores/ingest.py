"""Parcel scans and stock levels from the shop's other systems into the store, a batch per transaction.

A scan is kept once however often it is sent (the same parcel, time, state and text), moves the parcel's latest
event only forward in time, and moves the order with it: a parcel on its way makes a paid order shipped (or
part-shipped, while some of its lines wait for a parcel of their own), and once all of them are signed it is
delivered. Stock is set, not added to: the sender's count per SKU and warehouse is the
truth; a SKU or warehouse it names for the first time is created.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, delete, exists, insert, or_, select, update
from sqlalchemy.orm import aliased

from oms_client.domain import OrderState, TrackingState
from oms_client.imports.records import StockLevel, TrackingUpdate
from oms_client.sql import models as m
from oms_client.sql.database import Database, chunks, conflict_insert

ScanKey = tuple[int, datetime, str, str]


@dataclass
class Taken:
    """What a batch did: rows created, changed, already so; and each refused item's index and reason."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: dict[int, str] = field(default_factory=dict)


class SqlIngest:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def add_tracking(self, scans: Sequence[TrackingUpdate]) -> Taken:
        return await self.database.write.run(lambda conn: _tracking(conn, scans))

    async def replace_tracking(self, scans: Sequence[TrackingUpdate]) -> Taken:
        """The tracking provider's whole history of each waybill named: it replaces what the store held for
        it (the seed's, or an ERP's), so a provider that disagrees wins; the order still only moves forward."""
        return await self.database.write.run(lambda conn: _replacing(conn, scans))

    async def set_stock(self, levels: Sequence[StockLevel]) -> Taken:
        return await self.database.write.run(lambda conn: _stock(conn, levels))

    async def unsubscribed(self, couriers: Sequence[str], limit: int) -> list[tuple[int, str, str, str]]:
        """Parcels on their way whose waybills the tracking provider does not follow yet: (id, courier, number,
        receiver phone; SF's tracking asks for its last digits)."""
        shipment, order = m.ShipmentRow, m.OrderRow
        query = (
            select(shipment.id, shipment.courier, shipment.tracking_no, order.receiver_phone)
            .join(order, order.id == shipment.order_id)
            .where(
                shipment.subscribed_at.is_(None),
                shipment.courier.in_(couriers),
                shipment.last_event_state.is_(None) | (shipment.last_event_state != TrackingState.SIGNED),
            )
            .order_by(shipment.id)
            .limit(limit)
        )
        async with self.database.read.connect() as conn:
            return [(row.id, row.courier, row.tracking_no, row.receiver_phone) for row in await conn.execute(query)]

    async def mark_subscribed(self, shipment_id: int, at: datetime) -> None:
        await self._subscription(m.ShipmentRow.id == shipment_id, at)

    async def forget_subscription(self, number: str) -> None:
        """The provider stopped following this waybill: it is to be subscribed again."""
        await self._subscription(m.ShipmentRow.tracking_no == number, None)

    async def _subscription(self, where: ColumnElement[bool], at: datetime | None) -> None:
        async with self.database.write.begin() as conn:
            await conn.execute(update(m.ShipmentRow).where(where).values(subscribed_at=at))


def _tracking(conn: Connection, scans: Sequence[TrackingUpdate]) -> Taken:
    taken, parcels = Taken(), _parcels(conn, {scan.tracking_no for scan in scans})
    seen = _events_of(conn, [parcel["id"] for found in parcels.values() for parcel in found])
    new: list[dict[str, Any]] = []
    latest: dict[int, TrackingUpdate] = {}
    moves: dict[OrderState, set[int]] = {OrderState.SHIPPED: set(), OrderState.DELIVERED: set()}
    for index, scan in enumerate(scans):
        found = parcels.get((scan.courier.value, scan.tracking_no))
        if not found:
            taken.errors[index] = f"no {scan.courier.value} parcel {scan.tracking_no}: send its order first"
            continue
        fresh = [parcel for parcel in found if _scan_key(parcel["id"], scan) not in seen]
        if not fresh:
            taken.unchanged += 1
            continue
        for parcel in fresh:  # a merged parcel (合单) is one row per order it carries
            seen[_scan_key(parcel["id"], scan)] = 0  # new in this batch
            new.append({"shipment_id": parcel["id"], "at": scan.at, "place": scan.place[:64],
                        "text": scan.text[:200], "state": scan.state.value})  # fmt: skip
            if parcel["last_event_at"] is None or scan.at > parcel["last_event_at"]:
                latest[parcel["id"]], parcel["last_event_at"] = scan, scan.at
            if scan.state not in (TrackingState.RETURNED, TrackingState.EXCEPTION):  # trouble moves no order
                signed = scan.state is TrackingState.SIGNED
                moves[OrderState.DELIVERED if signed else OrderState.SHIPPED].add(parcel["order_id"])
        taken.created += 1
    if new:
        conn.execute(insert(m.TrackingEventRow), new)
    _advance_parcels(conn, latest)
    _advance_orders(conn, moves)
    return taken


def _replacing(conn: Connection, scans: Sequence[TrackingUpdate]) -> Taken:
    parcels = _parcels(conn, {scan.tracking_no for scan in scans})
    pushed = [(parcel["id"], s) for s in scans for parcel in parcels.get((s.courier.value, s.tracking_no), ())]
    said = {_scan_key(parcel, scan) for parcel, scan in pushed}
    named = {parcel for parcel, _ in pushed}
    gone = [event_id for key, event_id in _events_of(conn, sorted(named)).items() if key not in said]
    for part in chunks(gone):
        conn.execute(delete(m.TrackingEventRow).where(m.TrackingEventRow.id.in_(part)))
    taken = _tracking(conn, scans)
    if gone:
        _latest_again(conn, named)
        taken.updated += len(gone)  # scans the provider does not know, taken back
    return taken


def _latest_again(conn: Connection, parcels: set[int]) -> None:
    """Each parcel's newest remaining scan as its latest event, even when older than the one it replaced."""
    event, rows = m.TrackingEventRow, []
    for parcel in sorted(parcels):
        newest = conn.execute(select(event.at, event.state, event.text).where(event.shipment_id == parcel)
                              .order_by(event.at.desc()).limit(1)).first()  # fmt: skip
        if newest is not None:
            rows.append({"parcel": parcel, "at": newest.at, "state": newest.state, "text": newest.text})
    _set_latest(conn, rows)


def _advance_parcels(conn: Connection, latest: dict[int, TrackingUpdate]) -> None:
    """Each parcel's newest scan of the batch becomes its latest event."""
    _set_latest(conn, [{"parcel": parcel, "at": scan.at, "state": scan.state.value, "text": scan.text[:200]}
                       for parcel, scan in latest.items()])  # fmt: skip


def _set_latest(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Parcels' latest events (parcel, at, state, text), in one statement for the batch."""
    if not rows:
        return
    shipment = m.ShipmentRow
    statement = (
        update(shipment)
        .where(shipment.id == bindparam("parcel"))
        .values(last_event_at=bindparam("at"), last_event_state=bindparam("state"), last_event_text=bindparam("text"))
    )
    conn.execute(statement, rows)


def _advance_orders(conn: Connection, moves: dict[OrderState, set[int]]) -> None:
    """A parcel on its way makes a paid order shipped, or part-shipped while some of its lines wait (拆单); a
    signed one makes it delivered once every parcel is signed and no line waits (shipped first, so an order with
    both in one batch ends where its parcels put it)."""
    order, shipment = m.OrderRow, m.ShipmentRow
    line, sibling = m.OrderLineRow, aliased(m.OrderLineRow)
    waits = exists().where(
        line.order_id == order.id,
        line.shipment_id.is_(None),
        exists().where(sibling.order_id == order.id, sibling.shipment_id.is_not(None)),
    )
    unsigned = exists().where(
        shipment.order_id == order.id,
        or_(shipment.last_event_state.is_(None), shipment.last_event_state != TrackingState.SIGNED.value),
    )
    moving = (OrderState.PAID, OrderState.PART_SHIPPED)
    steps = (
        (OrderState.PART_SHIPPED, (OrderState.PAID,), waits, moves[OrderState.SHIPPED] | moves[OrderState.DELIVERED]),
        (OrderState.SHIPPED, moving, ~waits, moves[OrderState.SHIPPED] | moves[OrderState.DELIVERED]),
        (OrderState.DELIVERED, (*moving, OrderState.SHIPPED), ~waits & ~unsigned, moves[OrderState.DELIVERED]),
    )
    for after, before, when, ids in steps:
        for part in chunks(sorted(ids)):
            conn.execute(
                update(order)
                .where(order.id.in_(part), order.state.in_([state.value for state in before]), when)
                .values(state=after.value, version=order.version + 1)
            )


def _parcels(conn: Connection, numbers: set[str]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The parcels by waybill: one row for each order a parcel carries (several when orders were merged, 合单)."""
    shipment = m.ShipmentRow
    columns = (shipment.id, shipment.order_id, shipment.courier, shipment.tracking_no, shipment.last_event_at)
    rows = conn.execute(select(*columns).where(shipment.tracking_no.in_(sorted(numbers)))).all()
    found: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        found[(row.courier, row.tracking_no)].append(dict(row._mapping))
    return found


def _events_of(conn: Connection, shipment_ids: list[int]) -> dict[ScanKey, int]:
    """The parcels' stored scans by what makes a scan the same (`_scan_key`), each with its row's id."""
    if not shipment_ids:
        return {}
    event = m.TrackingEventRow
    query = select(event.id, event.shipment_id, event.at, event.state, event.text).where(
        event.shipment_id.in_(shipment_ids)
    )
    return {(row.shipment_id, row.at.astimezone(UTC), row.state, row.text): row.id for row in conn.execute(query)}


def _scan_key(parcel_id: int, scan: TrackingUpdate) -> ScanKey:
    """A scan is kept once: the same parcel, time, state and text (as stored)."""
    return parcel_id, scan.at.astimezone(UTC), scan.state.value, scan.text[:200]


def _stock(conn: Connection, levels: Sequence[StockLevel]) -> Taken:
    taken = Taken()
    latest = {(level.sku, level.warehouse): level for level in levels}  # the batch's last word on each
    _ensure(conn, m.SkuRow, [{"sku": sku, "title": sku, "price": Decimal(0)} for sku, _ in latest])
    _products(conn, {level.sku: level.product for level in latest.values() if level.product})
    _ensure(conn, m.WarehouseRow, [{"code": code, "name": code, "city": ""} for _, code in latest])
    stock = m.StockRow
    skus = sorted({sku for sku, _ in latest})
    query = select(stock.sku, stock.warehouse, stock.on_hand, stock.restock_at).where(stock.sku.in_(skus))
    held = {(row.sku, row.warehouse): (row.on_hand, row.restock_at) for row in conn.execute(query)}
    for key, level in latest.items():
        values = {"on_hand": level.on_hand, "restock_at": level.restock_at}
        if key not in held:
            conn.execute(insert(stock).values(sku=level.sku, warehouse=level.warehouse, **values))
            taken.created += 1
        elif held[key] != (level.on_hand, level.restock_at):  # times as instants: the column hands them back aware
            where = (stock.sku == level.sku, stock.warehouse == level.warehouse)
            conn.execute(update(stock).where(*where).values(**values))
            taken.updated += 1
        else:
            taken.unchanged += 1
    taken.unchanged += len(levels) - len(latest)
    return taken


def _products(conn: Connection, products: dict[str, str]) -> None:
    """Each SKU's product as the sender names it (variants of one product share it)."""
    sku = m.SkuRow
    for code, product in products.items():
        conn.execute(update(sku).where(sku.sku == code, sku.product.is_distinct_from(product)).values(product=product))


def _ensure(conn: Connection, table: type[m.Base], rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(conflict_insert(conn.dialect.name, table).on_conflict_do_nothing(), rows)
