"""Paid-but-unshipped demand per SKU, kept by the store's triggers, equals a count over the orders after
every kind of write that changes it, on SQLite and PostgreSQL; the oversell scan reads it."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select, update

from oms_client.alerts.desk import AlertStore
from oms_client.alerts.kinds import ScanLimits
from oms_client.domain import OrderState
from oms_client.sql import models as m
from oms_client.sql.database import Database
from tests.conftest import NOW
from tests.orders import ITEMS, add_order


async def _kept(database: Database) -> dict[str, int]:
    demand = m.SkuDemandRow
    async with database.read.connect() as conn:
        rows = (await conn.execute(select(demand.sku, demand.committed).where(demand.committed != 0))).all()
    return {row.sku: row.committed for row in rows}


async def _counted(database: Database) -> dict[str, int]:
    line, order = m.OrderLineRow, m.OrderRow
    query = (
        select(line.sku, func.sum(line.qty))
        .join(order, order.id == line.order_id)
        .where(order.state == OrderState.PAID.value)
        .group_by(line.sku)
    )
    async with database.read.connect() as conn:
        return {sku: int(total) for sku, total in (await conn.execute(query)).all()}


async def _order_id(database: Database, order_no: str) -> int:
    async with database.read.connect() as conn:
        return int(await conn.scalar(select(m.OrderRow.id).where(m.OrderRow.order_no == order_no)) or 0)


async def _write(database: Database, *statements: object) -> None:
    async with database.write.begin() as conn:
        for statement in statements:
            await conn.execute(statement)  # type: ignore[call-overload]


async def test_demand_follows_payment_lines_shipping_cancelling_and_deleting(database: Database) -> None:
    unpaid = await add_order(database, OrderState.PENDING_PAYMENT, items=2)
    paid = await add_order(database, OrderState.PAID, items=3)
    await add_order(database, OrderState.SHIPPED, items=1)
    assert await _kept(database) == await _counted(database) == {sku: 1 for sku, _ in ITEMS}

    order, line = m.OrderRow, m.OrderLineRow
    unpaid_id, paid_id = await _order_id(database, unpaid.order_no), await _order_id(database, paid.order_no)
    steps = [
        [update(order).where(order.id == unpaid_id).values(state=OrderState.PAID.value)],  # paid
        [update(line).where(line.order_id == paid_id, line.sku == ITEMS[0][0]).values(qty=5)],  # more of one
        [update(line).where(line.order_id == paid_id, line.sku == ITEMS[1][0]).values(sku=ITEMS[2][0])],  # swapped
        [insert(line).values(order_id=paid_id, sku=ITEMS[1][0], title="加购", qty=2, unit_price=1)],  # added
        [delete(line).where(line.order_id == unpaid_id, line.sku == ITEMS[0][0])],  # removed
        [update(order).where(order.id == paid_id).values(state=OrderState.SHIPPED.value)],  # shipped
        [update(order).where(order.id == unpaid_id).values(state=OrderState.CANCELLED.value)],  # cancelled
        [update(order).values(state=OrderState.PAID.value)],  # every order at once, as a bulk fix would
        [delete(line).where(line.order_id == paid_id)],
    ]
    for statements in steps:
        await _write(database, *statements)
        assert await _kept(database) == await _counted(database), statements
    assert await _counted(database) != {}


async def test_oversell_is_raised_from_the_kept_demand_and_clears_when_orders_ship(database: Database) -> None:
    placed = [await add_order(database, OrderState.PAID) for _ in range(3)]
    stock = m.StockRow
    await _write(database, update(stock).where(stock.sku == ITEMS[0][0], stock.warehouse == "HZ1").values(on_hand=2))
    alerts = AlertStore(database)
    first = await alerts.scan(NOW, ScanLimits())
    [oversell] = [a for a in first.opened if a.kind == "oversell"]
    assert (oversell.subject, oversell.detail["demand"], oversell.detail["on_hand"]) == (ITEMS[0][0], 3, 2)
    assert len(oversell.detail["orders_at_risk"]) == 3
    shipped = await _order_id(database, placed[0].order_no)
    await _write(database, update(m.OrderRow).where(m.OrderRow.id == shipped).values(state=OrderState.SHIPPED.value))
    later = await alerts.scan(NOW, ScanLimits())
    assert [(a.kind, a.subject) for a in later.resolved] == [("oversell", ITEMS[0][0])]
