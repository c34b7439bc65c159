"""The alert scans as set-based SQL: each finds every instance of one problem in one query.

No Python loop over orders: the database does the grouping and filtering, so a scan over a million
orders costs a few index or sequential passes, not a million round trips. The scans with many findings
(orders, parcels, cases) are SELECTs of (kind, subject, severity, detail as JSON text) that the alert
sync copies into its staging table without the rows ever reaching Python; the two whose findings are
few by nature (SKUs oversold, customers waiting for a person) are made in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, String, and_, case, cast, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from oms_client.domain import OrderState, TrackingState
from oms_client.sql import models as m
from oms_client.sql.json_text import constant, facts, iso_utc

ORDERS_AT_RISK_SHOWN = 5
FindingRows = Select[str, str, str, str]  # kind, subject, severity, detail as JSON text


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
    demand, stock = m.SkuDemandRow, m.StockRow
    on_hand = select(stock.sku, func.sum(stock.on_hand).label("on_hand")).group_by(stock.sku).subquery()
    available = func.coalesce(on_hand.c.on_hand, 0)
    rows = (
        await conn.execute(
            select(demand.sku, demand.committed, available.label("on_hand"))
            .outerjoin(on_hand, on_hand.c.sku == demand.sku)
            .where(demand.committed > available)
            .order_by(demand.sku)
        )
    ).all()
    findings = []
    for row in rows:  # one short query per oversold SKU, never a pass over every paid order
        detail = {
            "demand": row.committed,
            "on_hand": int(row.on_hand),
            "orders_at_risk": await _orders_at_risk(conn, row.sku),
        }
        findings.append(Finding("oversell", row.sku, "critical", detail))
    return findings


async def _orders_at_risk(conn: AsyncConnection, sku: str) -> list[str]:
    """The newest paid orders waiting for a SKU: walks paid orders newest first (an index) until enough
    of them hold it."""
    line, order = m.OrderLineRow, m.OrderRow
    holds = select(line.id).where(line.order_id == order.id, line.sku == sku).exists()
    query = (
        select(_order_key(order))
        .where(order.state == OrderState.PAID.value, holds)
        .order_by(order.state, order.created_at.desc(), order.id.desc())
        .limit(ORDERS_AT_RISK_SHOWN)
    )
    return list((await conn.scalars(query)).all())


def ship_overdue(now: datetime, limits: ScanLimits) -> FindingRows:
    """Paid orders past their promised ship-by time; a day late (by default) is critical."""
    order = m.OrderRow
    critical_since = now - timedelta(hours=limits.ship_critical_late_hours)
    return select(
        constant("ship_overdue"),
        _order_key(order),
        case((order.promised_ship_by <= critical_since, constant("critical")), else_=constant("warning")),
        facts(promised_ship_by=iso_utc(order.promised_ship_by)),
    ).where(order.state == OrderState.PAID.value, order.promised_ship_by < now)


def ship_due_soon(now: datetime, limits: ScanLimits, platforms: list[str]) -> FindingRows:
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
    return select(
        constant("ship_due_soon"),
        _order_key(order),
        constant("info"),
        facts(promised_ship_by=iso_utc(order.promised_ship_by)),
    ).where(order.state == OrderState.PAID.value, order.promised_ship_by >= now, near)


def transit_problems(now: datetime, limits: ScanLimits, couriers: list[str]) -> FindingRows:
    """Parcels of shipped orders whose latest event is an exception, or is older than the courier's limit."""
    shipment, order = m.ShipmentRow, m.OrderRow
    troubled = shipment.last_event_state.in_([TrackingState.EXCEPTION.value, TrackingState.RETURNED.value])
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
    return (
        select(
            case((troubled, constant("transit_exception")), else_=constant("transit_stalled")),
            shipment.tracking_no,
            case((troubled, constant("critical")), else_=constant("warning")),
            facts(
                order=_order_key(order),
                courier=shipment.courier,
                last_event=shipment.last_event_text,
                last_event_at=iso_utc(shipment.last_event_at),
            ),
        )
        .join(order, order.id == shipment.order_id)
        .where(
            shipment.last_event_state != TrackingState.SIGNED.value,  # lets the partial index skip delivered parcels
            order.state == OrderState.SHIPPED.value,
            or_(troubled, stale),
        )
    )


def aftersales_overdue(now: datetime, limits: ScanLimits) -> FindingRows:
    case_row = m.AfterSalesCaseRow
    deadline = now - timedelta(hours=limits.aftersales_sla_hours)
    return select(
        constant("aftersales_overdue"),
        constant("case:") + cast(case_row.id, String),
        constant("warning"),
        facts(case_kind=case_row.kind, state=case_row.state, created_at=iso_utc(case_row.created_at)),
    ).where(case_row.state.in_(["requested", "need_info"]), case_row.created_at < deadline)


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


def _order_key(order: type[m.OrderRow]) -> ColumnElement[str]:
    """`platform:order_no`, the subject every order alert is known by."""
    return order.platform + constant(":") + order.order_no
