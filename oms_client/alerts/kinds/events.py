"""Outbound events the seller's system has not taken for too long: the webhook is down or refusing them, and
the orders they are about wait behind them. One alert for the whole queue, with the oldest event's age, the
count and the receiver's last answer; five times the limit is critical."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from oms_client.alerts.kinds.base import Finding, Limits, Scan, ScanInput
from oms_client.events import EVENTS_TARGET
from oms_client.sql import models as m


class EventLimits(Limits):
    events_stuck_minutes: float = Field(default=30.0, gt=0)


async def events_stuck(conn: AsyncConnection, at: ScanInput) -> list[Finding]:
    outbox = m.OutboxRow
    limit = timedelta(minutes=at.limits.events_stuck_minutes)
    waiting = (outbox.target == EVENTS_TARGET, outbox.sent_at.is_(None))
    oldest, count = (await conn.execute(select(func.min(outbox.created_at), func.count()).where(*waiting))).one()
    if oldest is None or oldest >= at.now - limit:
        return []
    error = await conn.scalar(
        select(outbox.last_error).where(*waiting, outbox.last_error.is_not(None)).order_by(outbox.id.desc()).limit(1)
    )
    severity = "critical" if oldest < at.now - 5 * limit else "warning"
    facts = {"since": oldest.isoformat(), "count": int(count), "error": (error or "")[:120]}
    return [Finding("events_stuck", "webhook", severity, facts)]


SCAN = Scan(kinds=("events_stuck",), findings=events_stuck)
