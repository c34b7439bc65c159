"""The alert scans as set-based SQL: each finds every instance of one problem in one query.

No Python loop over orders: the database does the grouping and filtering, so a scan over a million
orders costs a few index or sequential passes, not a million round trips.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from oms_client import models as m
from oms_client.domain import OrderState, TrackingState

ORDERS_AT_RISK_SHOWN = 5


@dataclass(frozen=True)
class ScanLimits:
    """Thresholds from the shop configuration, with the defaults a shop starts with."""

    ship_sla_hours: dict[str, float] = field(default_factory=lambda: {"jd": 24.0})
    default_ship_sla_hours: float = 48.0
    ship_warn_ratio: float = 0.8  # warn once this share of the ship-by window has passed
    ship_critical_late_hours: float = 24.0
    stall_hours: dict[str, float] = field(default_factory=lambda: {"SF": 36.0, "JD": 36.0})
    default_stall_hours: float = 48.0
    aftersales_sla_hours: float = 24.0
    # A customer waiting for a person this long (from when they were told to expect one) is an alert;
    # three times as long, a critical one.
    handoff_wait_minutes: float = 10.0


@dataclass(frozen=True)
class Finding:
    """One problem as the store sees it. `detail` holds facts, not figures derived from the time of the
    scan (hours late are worked out when shown), so finding it again unchanged writes nothing."""

    kind: str
    subject: str
    severity: str
    detail: dict[str, Any]


async def oversold(conn: AsyncConnection) -> list[Finding]:
    """SKUs whose paid-but-unshipped demand exceeds what all warehouses have on hand."""
    line, order, stock = m.OrderLineRow, m.OrderRow, m.StockRow
    demand = (
        select(line.sku, func.sum(line.qty).label("demand"))
        .join(order, order.id == line.order_id)
        .where(order.state == OrderState.PAID.value)
        .group_by(line.sku)
        .subquery()
    )
    on_hand = select(stock.sku, func.sum(stock.on_hand).label("on_hand")).group_by(stock.sku).subquery()
    available = func.coalesce(on_hand.c.on_hand, 0)
    rows = (
        await conn.execute(
            select(demand.c.sku, demand.c.demand, available.label("on_hand"))
            .outerjoin(on_hand, on_hand.c.sku == demand.c.sku)
            .where(demand.c.demand > available)
            .order_by(demand.c.sku)
        )
    ).all()
    at_risk = await _orders_at_risk(conn, [row.sku for row in rows])
    return [
        Finding(
            "oversell",
            row.sku,
            "critical",
            {"demand": int(row.demand), "on_hand": int(row.on_hand), "orders_at_risk": at_risk.get(row.sku, [])},
        )
        for row in rows
    ]


async def _orders_at_risk(conn: AsyncConnection, skus: list[str]) -> dict[str, list[str]]:
    """The newest paid orders waiting for each SKU, a few per SKU (a window function, one query)."""
    if not skus:
        return {}
    line, order = m.OrderLineRow, m.OrderRow
    rank = func.row_number().over(partition_by=line.sku, order_by=(order.created_at.desc(), order.id.desc()))
    ranked = (
        select(line.sku, order.platform, order.order_no, rank.label("rank"))
        .join(order, order.id == line.order_id)
        .where(order.state == OrderState.PAID.value, line.sku.in_(skus))
        .subquery()
    )
    query = select(ranked).where(ranked.c.rank <= ORDERS_AT_RISK_SHOWN).order_by(ranked.c.sku, ranked.c.rank)
    found: dict[str, list[str]] = {}
    for row in (await conn.execute(query)).all():
        found.setdefault(row.sku, []).append(f"{row.platform}:{row.order_no}")
    return found


async def ship_overdue(conn: AsyncConnection, now: datetime, limits: ScanLimits) -> list[Finding]:
    order = m.OrderRow
    query = (
        select(order.platform, order.order_no, order.promised_ship_by)
        .where(order.state == OrderState.PAID.value, order.promised_ship_by < now)
        .order_by(order.promised_ship_by)
    )
    findings = []
    for row in (await conn.execute(query)).all():
        late_hours = (now - row.promised_ship_by).total_seconds() / 3600
        severity = "critical" if late_hours >= limits.ship_critical_late_hours else "warning"
        detail = {"promised_ship_by": row.promised_ship_by.isoformat()}
        findings.append(Finding("ship_overdue", f"{row.platform}:{row.order_no}", severity, detail))
    return findings


async def ship_due_soon(
    conn: AsyncConnection, now: datetime, limits: ScanLimits, platforms: list[str]
) -> list[Finding]:
    """Paid orders still within their promise, but with most of the window gone (per platform SLA)."""
    order = m.OrderRow
    window_left = {
        p: limits.ship_sla_hours.get(p, limits.default_ship_sla_hours) * (1 - limits.ship_warn_ratio) for p in platforms
    }
    near = or_(
        false(),
        *(
            and_(order.platform == p, order.promised_ship_by <= now + timedelta(hours=h))
            for p, h in window_left.items()
        ),
    )
    query = (
        select(order.platform, order.order_no, order.promised_ship_by)
        .where(order.state == OrderState.PAID.value, order.promised_ship_by >= now, near)
        .order_by(order.promised_ship_by)
    )
    return [
        Finding(
            "ship_due_soon",
            f"{row.platform}:{row.order_no}",
            "info",
            {"promised_ship_by": row.promised_ship_by.isoformat()},
        )
        for row in (await conn.execute(query)).all()
    ]


async def transit_problems(
    conn: AsyncConnection, now: datetime, limits: ScanLimits, couriers: list[str]
) -> list[Finding]:
    """Parcels of shipped orders whose latest event is an exception, or is older than the courier's limit."""
    shipment, order = m.ShipmentRow, m.OrderRow
    troubled = [TrackingState.EXCEPTION.value, TrackingState.RETURNED.value]
    stale = or_(
        false(),
        *(
            and_(
                shipment.courier == c,
                shipment.last_event_at < now - timedelta(hours=limits.stall_hours.get(c, limits.default_stall_hours)),
            )
            for c in couriers
        ),
    )
    query = (
        select(
            shipment.courier,
            shipment.tracking_no,
            shipment.last_event_at,
            shipment.last_event_state,
            shipment.last_event_text,
            order.platform,
            order.order_no,
        )
        .join(order, order.id == shipment.order_id)
        .where(
            shipment.last_event_state != TrackingState.SIGNED.value,  # lets the partial index skip delivered parcels
            order.state == OrderState.SHIPPED.value,
            or_(shipment.last_event_state.in_(troubled), stale),
        )
        .order_by(shipment.last_event_at)
    )
    findings = []
    for row in (await conn.execute(query)).all():
        exception = row.last_event_state in troubled
        detail = {
            "order": f"{row.platform}:{row.order_no}",
            "courier": row.courier,
            "last_event": row.last_event_text,
            "last_event_at": row.last_event_at.isoformat(),
        }
        kind = "transit_exception" if exception else "transit_stalled"
        findings.append(Finding(kind, row.tracking_no, "critical" if exception else "warning", detail))
    return findings


async def aftersales_overdue(conn: AsyncConnection, now: datetime, limits: ScanLimits) -> list[Finding]:
    case = m.AfterSalesCaseRow
    deadline = now - timedelta(hours=limits.aftersales_sla_hours)
    query = (
        select(case.id, case.kind, case.state, case.created_at)
        .where(case.state.in_(["requested", "need_info"]), case.created_at < deadline)
        .order_by(case.created_at)
    )
    return [
        Finding(
            "aftersales_overdue",
            f"case:{row.id}",
            "warning",
            {"case_kind": row.kind, "state": row.state, "created_at": row.created_at.isoformat()},
        )
        for row in (await conn.execute(query)).all()
    ]


async def handoffs_waiting(conn: AsyncConnection, now: datetime, limits: ScanLimits) -> list[Finding]:
    """Customers still queued for a person past the wait the shop allows, counted from when they were told
    someone would answer: a chat queued at night is late only after the next opening."""
    handoff = m.HandoffRow
    wait = timedelta(minutes=limits.handoff_wait_minutes)
    query = (
        select(handoff.id, handoff.chat_key, handoff.reason, handoff.expected_at)
        .where(handoff.state == "waiting", handoff.expected_at < now - wait)
        .order_by(handoff.expected_at)
    )
    return [
        Finding(
            "handoff_waiting",
            f"handoff:{row.id}",
            "critical" if row.expected_at < now - 3 * wait else "warning",
            {"reason": row.reason, "channel": row.chat_key.partition(":")[0], "since": row.expected_at.isoformat()},
        )
        for row in (await conn.execute(query)).all()
    ]
