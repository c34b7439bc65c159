"""The automatic review in SQL: new orders are looked at once (paid ones against the shop's rules), a rule met
holds the order, and a person releases it (its ship promise starting then) or cancels it. Each step audited.

Orders arrive by import, the API, an external OMS or a platform's push; the review reads what they left
unreviewed instead of hooking each way in, so no path can skip it.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from oms_client.domain import OrderState, order_key
from oms_client.events import OutboundEvent, new_event
from oms_client.review import Decided, HeldOrder, Reviewed, ReviewRules
from oms_client.sql import models as m
from oms_client.sql.audit import audit_row
from oms_client.sql.database import Database, chunks
from oms_client.stores.events import queue_events

BATCH = 500
BACKLOG = 4 * BATCH  # this many waiting is an import, not the trickle of new orders
# Orders the review judges when it first sees them: paid ones, and presale ones once their deposit is (the review
# does not come back when the balance is paid).
JUDGED = (OrderState.PAID.value, OrderState.DEPOSIT_PAID.value)
Address = tuple[str, str, str, str]


class SqlReview:
    def __init__(
        self, database: Database, ship_within: Callable[[str], timedelta], publish_events: bool = False
    ) -> None:
        self.database, self.ship_within, self.publish_events = database, ship_within, publish_events

    async def review_new(self, rules: ReviewRules, now: datetime) -> int:
        """Look at every order not yet reviewed, a batch per transaction (an import of 100,000 is reviewed in one
        run, not one batch a run); how many were held."""
        await self._fresh_statistics()
        held, after = 0, 0
        while True:
            last, newly = await self.database.write.run(functools.partial(_review, rules=rules, now=now, after=after))
            held += newly
            if last is None:
                return held
            after = last

    async def _fresh_statistics(self) -> None:
        """A backlog (a whole export just imported) is reviewed by plans made for it: PostgreSQL's statistics
        may still say no order awaits review, and its plans for the batches then crawl (minutes, not seconds,
        for 100,000 orders) until autovacuum's next ANALYZE."""
        if self.database.dialect != "postgresql":
            return
        waiting = select(m.OrderRow.id).where(m.OrderRow.reviewed_at.is_(None)).limit(BACKLOG)
        async with self.database.write.begin() as conn:
            if await conn.scalar(select(func.count()).select_from(waiting.subquery())) == BACKLOG:
                await conn.execute(text("ANALYZE orders"))

    async def held(self, limit: int = 20) -> tuple[int, list[HeldOrder]]:
        order = m.OrderRow
        waiting = (order.held_since.is_not(None), order.state.in_(JUDGED))
        columns = (order.platform, order.order_no, order.hold_reason, order.held_since, order.total)
        oldest = select(*columns).where(*waiting).order_by(order.held_since).limit(limit)
        async with self.database.read.connect() as conn:
            total = await conn.scalar(select(func.count()).select_from(order).where(*waiting))
            found = [HeldOrder(r.platform, r.order_no, r.hold_reason or "", r.held_since, str(r.total))
                     for r in await conn.execute(oldest)]  # fmt: skip
        return int(total or 0), found

    async def release(self, order_no: str, by: str, now: datetime) -> Decided:
        """Ship it: the platform's promise to dispatch counts from now."""
        return await self._decided(order_no, by, now, None)

    async def cancel(self, order_no: str, reason: str, by: str, now: datetime) -> Decided:
        return await self._decided(order_no, by, now, reason)

    async def _decided(self, order_no: str, by: str, now: datetime, cancel_reason: str | None) -> Decided:
        async with self.database.write.begin() as conn:
            events = await _decide(conn, order_no, by, now, cancel_reason, self.ship_within)
            if events and self.publish_events:
                await queue_events(conn, events, now)
        return Decided.DONE if events else Decided.NOT_HELD


def _review(conn: Connection, rules: ReviewRules, now: datetime, after: int) -> tuple[int | None, int]:
    """One batch, from the order after `after` on (so no run walks again over the rows it has just reviewed, which
    PostgreSQL's index still lists until vacuumed): the last order looked at (None: none left), how many held."""
    order = m.OrderRow
    columns = (order.id, order.platform, order.order_no, order.state, order.total, order.receiver_phone,
               order.receiver_province, order.receiver_city, order.receiver_district, order.receiver_detail,
               order.buyer_note, order.created_at)  # fmt: skip
    unreviewed = (order.reviewed_at.is_(None), order.id > after)
    rows = conn.execute(select(*columns).where(*unreviewed).order_by(order.id).limit(BATCH)).all()
    if not rows:
        return None, 0
    paid = [row for row in rows if row.state in JUDGED]
    recent = _recent_at_address(conn, paid) if rules.same_address_per_hour else Counter[int]()
    held = [(row, reason) for row in paid if (reason := rules.reason(_facts(row, recent[row.id])))]
    until = now + timedelta(hours=rules.review_hours)
    if held:
        statement = (
            update(order)
            .where(order.id == bindparam("order_id"))
            .values(reviewed_at=now, held_since=now, hold_reason=bindparam("reason"), hold_until=until)
        )
        conn.execute(statement, [{"order_id": r.id, "reason": why} for r, why in held])
        conn.execute(insert(m.AuditLogRow), [
            audit_row("review", "order.held", ("order", order_key(r.platform, r.order_no)), {"reason": why}, now)
            for r, why in held])  # fmt: skip
    passed = sorted({row.id for row in rows} - {row.id for row, _ in held})
    for part in chunks(passed):
        conn.execute(update(order).where(order.id.in_(part)).values(reviewed_at=now))
    return rows[-1].id, len(held)


def _facts(row: Any, same_address_last_hour: int) -> Reviewed:
    address = f"{row.receiver_city}{row.receiver_district}{row.receiver_detail}"
    return Reviewed(row.total, row.receiver_phone, row.receiver_province, address, row.buyer_note,
                    same_address_last_hour)  # fmt: skip


def _recent_at_address(conn: Connection, paid: Sequence[Any]) -> Counter[int]:
    """For each order, how many orders to the same address were placed in the hour before it (found by the
    street address's index, then matched whole)."""
    if not paid:
        return Counter()
    order = m.OrderRow
    where = (order.receiver_province, order.receiver_city, order.receiver_district, order.receiver_detail)
    since = min(row.created_at for row in paid) - timedelta(hours=1)
    details = sorted({row.receiver_detail for row in paid})
    at_address: dict[Address, list[tuple[int, datetime]]] = defaultdict(list)
    for part in chunks(details):
        query = select(*where, order.id, order.created_at).where(
            order.receiver_detail.in_(part), order.created_at >= since
        )
        for other in conn.execute(query):
            at_address[_address(other)].append((other.id, other.created_at))
    counts = Counter[int]()
    for row in paid:
        start = row.created_at - timedelta(hours=1)
        counts[row.id] = sum(
            1 for id_, at in at_address[_address(row)] if id_ != row.id and start <= at <= row.created_at
        )
    return counts


def _address(row: Any) -> Address:
    return row.receiver_province, row.receiver_city, row.receiver_district, row.receiver_detail


async def _decide(
    conn: AsyncConnection,
    order_no: str,
    by: str,
    now: datetime,
    cancel_reason: str | None,
    ship_within: Callable[[str], timedelta],
) -> list[OutboundEvent]:
    """Release (the platform's promise to dispatch counting from now) or cancel a held order; its events."""
    order = m.OrderRow
    found = (
        await conn.execute(
            select(order.id, order.platform, order.state, order.hold_reason, order.presale).where(
                order.order_no == order_no, order.held_since.is_not(None), order.state.in_(JUDGED)
            )
        )
    ).first()
    if found is None:
        return []
    change: dict[str, Any] = {"held_since": None, "hold_reason": None, "hold_until": None}
    change["version"] = order.version + 1
    if cancel_reason is None:
        if not found.presale:  # a presale order's promise counts from its balance, held or not
            change["promised_ship_by"] = now + ship_within(found.platform)
        ship_by = change["promised_ship_by"].isoformat() if "promised_ship_by" in change else None
        action, data = "order.released", {"held_for": found.hold_reason, "ship_by": ship_by}
    else:
        change["state"] = OrderState.CANCELLED.value
        action, data = "order.cancelled", {"held_for": found.hold_reason, "reason": cancel_reason,
                                           "previous_state": found.state}  # fmt: skip
    await conn.execute(update(order).where(order.id == found.id).values(**change))
    subject = ("order", order_key(found.platform, order_no))
    await conn.execute(insert(m.AuditLogRow), [audit_row(by, action, subject, data, now)])
    return [new_event(action, found.platform, order_no, data, now)]
