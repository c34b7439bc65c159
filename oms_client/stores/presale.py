"""Presale (预售) orders whose balance (尾款) was not paid by its deadline: they become `balance_overdue`, the state
in which they will not ship and the customer is told so, instead of waiting as a deposit nobody acts on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from oms_client.domain import OrderState, order_key
from oms_client.events import new_event
from oms_client.sql import models as m
from oms_client.sql.audit import audit_row
from oms_client.sql.database import Database, chunks
from oms_client.stores.events import queue_events


class SqlPresale:
    def __init__(self, database: Database, publish_events: bool = False) -> None:
        self.database, self.publish_events = database, publish_events

    async def expire_balances(self, now: datetime) -> int:
        """Deposit-paid orders past their balance deadline move to `balance_overdue`, audited (and sent to the
        seller's systems when a webhook is set); how many moved."""
        async with self.database.write.begin() as conn:
            return await self._expire(conn, now)

    async def _expire(self, conn: AsyncConnection, now: datetime) -> int:
        order = m.OrderRow
        waiting = (order.state == OrderState.DEPOSIT_PAID.value, order.balance_due < now)
        rows = (await conn.execute(select(order.id, order.platform, order.order_no, order.balance_due)
                                   .where(*waiting))).all()  # fmt: skip
        if not rows:
            return 0
        for part in chunks([row.id for row in rows]):
            await conn.execute(
                update(order)
                .where(order.id.in_(part), *waiting)
                .values(state=OrderState.BALANCE_OVERDUE.value, version=order.version + 1)
            )
        facts = [(r, {"balance_due": r.balance_due.isoformat()}) for r in rows]
        await conn.execute(insert(m.AuditLogRow), [
            audit_row("presale", "order.balance_overdue", ("order", order_key(r.platform, r.order_no)), data, now)
            for r, data in facts])  # fmt: skip
        if self.publish_events:
            events = [new_event("order.balance_overdue", r.platform, r.order_no, data, now) for r, data in facts]
            await queue_events(conn, events, now)
        return len(rows)
