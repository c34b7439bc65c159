"""Which customers to tell of their own late order or stuck parcel, and the record that they were told.

Read from the open alerts, so the thresholds are the scans' own, and only for customers who have proved an
order in some chat (a binding): the bot writes to nobody who has not written to it. The notice rows and the
messages are written in one transaction, and the unique (order, day) lets one process tell each order once a
day however many run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, exists, literal, select, union_all

from oms_client.alerting import Delay
from oms_client.alerts.kinds import told
from oms_client.alerts.kinds.base import order_key
from oms_client.chats.outgoing import ChatMessage, enqueue_messages
from oms_client.sql import models as m
from oms_client.sql.database import Database
from oms_client.sql.json_text import constant

# Written into the SQL, not bound: only then can SQLite use the partial index of open alerts (its condition
# must be seen to hold), instead of building an index of its own every tick.
RESOLVED_SQL = constant("resolved")


class NoticeStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def due(self, day: str) -> list[Delay]:
        """Every late order or stuck parcel of a bound customer not yet told of today, one chat per order
        (the one bound last)."""
        async with self.database.read.connect() as conn:
            rows = (await conn.execute(union_all(_late(day), _stuck(day)))).all()
        latest: dict[str, tuple[datetime, Delay]] = {}
        for row in rows:
            delay = Delay(row.channel, row.user_id, row.platform, row.order_no, row.kind, dict(row.detail),
                          row.courier, row.tracking_no)  # fmt: skip
            if delay.order_key not in latest or row.bound_at > latest[delay.order_key][0]:
                latest[delay.order_key] = (row.bound_at, delay)
        return [delay for _, delay in latest.values()]

    async def tell(self, delays: Sequence[Delay], messages: Sequence[ChatMessage], day: str, now: datetime) -> bool:
        """Record the notices and queue their messages, or neither when another process told them first."""
        values = [{"order_key": d.order_key, "day": day, "kind": d.kind, "chat_key": d.chat_key, "created_at": now}
                  for d in delays]  # fmt: skip
        insert = self.database.conflict_insert(m.CustomerNoticeRow).values(values).on_conflict_do_nothing()

        def tell(conn: Connection) -> None:
            written = conn.execute(insert.returning(m.CustomerNoticeRow.id)).all()
            if len(written) < len(values):
                raise _ToldAlready  # rolls back the notices written so far
            enqueue_messages(conn, messages, now)

        try:
            await self.database.write.run(tell)
        except _ToldAlready:
            return False
        return True


class _ToldAlready(Exception):
    """Another process recorded one of these notices first: undo ours, theirs stand."""


def _late(day: str) -> Select[Any]:
    alert = m.AlertRow
    late = and_(alert.kind.in_(told("order")), alert.subject == order_key(), alert.status != RESOLVED_SQL)
    no_parcel = (literal(None).label("courier"), literal(None).label("tracking_no"))
    return _columns(day, alert.kind, *no_parcel).join(alert, late)


def _stuck(day: str) -> Select[Any]:
    order, alert, shipment = m.OrderRow, m.AlertRow, m.ShipmentRow
    transit = alert.kind.in_(told("parcel"))
    return (
        _columns(day, alert.kind, shipment.courier, shipment.tracking_no)
        .join(shipment, shipment.order_id == order.id)
        .join(alert, and_(transit, alert.subject == shipment.tracking_no, alert.status != RESOLVED_SQL))
    )


def _columns(day: str, *extra: Any) -> Select[Any]:
    """The binding and its customer's orders not yet told of today, with the alert's facts; the caller joins
    the alert (and parcel)."""
    binding, order, alert, notice = m.ChatBindingRow, m.OrderRow, m.AlertRow, m.CustomerNoticeRow
    told = exists().where(notice.order_key == order_key(), notice.day == day)
    return (
        select(
            binding.channel,
            binding.user_id,
            binding.created_at.label("bound_at"),
            order.platform,
            order.order_no,
            alert.detail,
            *extra,
        )
        .join(order, and_(order.customer_id == binding.customer_id, order.receiver_phone == binding.receiver_phone))
        .where(~told)
    )
