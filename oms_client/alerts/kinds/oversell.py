"""Oversell: SKUs whose paid-but-unshipped demand exceeds what all warehouses have on hand."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from oms_client.alerts.kinds.base import Finding, Scan, ScanInput, order_key
from oms_client.domain import TO_SHIP
from oms_client.sql import models as m

ORDERS_AT_RISK_SHOWN = 5


async def oversold(conn: AsyncConnection, _: ScanInput) -> list[Finding]:
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
            "customers": await _answers(conn, row.sku),
        }
        findings.append(Finding("oversell", row.sku, "critical", detail))
    return findings


async def _orders_at_risk(conn: AsyncConnection, sku: str) -> list[str]:
    """The newest paid orders waiting for a SKU (a part-shipped one when the line not yet in a parcel is it):
    walks them newest first (an index) until enough of them hold it."""
    line, order = m.OrderLineRow, m.OrderRow
    holds = select(line.id).where(line.order_id == order.id, line.sku == sku, line.shipment_id.is_(None)).exists()
    query = (
        select(order_key(order))
        .where(order.state.in_(TO_SHIP), holds)  # as the demand triggers count them
        .order_by(order.created_at.desc(), order.id.desc())
        .limit(ORDERS_AT_RISK_SHOWN)
    )
    return list((await conn.scalars(query)).all())


async def _answers(conn: AsyncConnection, sku: str) -> dict[str, int]:
    """What the customers told of this SKU chose (the oversell loop): told, wait, switch, cancel."""
    offer = m.OversellOfferRow
    query = select(func.coalesce(offer.choice, "told"), func.count()).where(offer.sku == sku).group_by(offer.choice)
    counts = {str(choice): int(count) for choice, count in await conn.execute(query)}
    return counts | {"told": sum(counts.values())} if counts else {}


SCAN = Scan(kinds=("oversell",), findings=oversold)
