"""Customers still queued for a person past the wait the shop allows, counted from when they were told
someone would answer: a chat queued at night is late only after the next opening. Three times as long is
critical."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from oms_client.alerts.kinds.base import Finding, Limits, Scan, ScanInput
from oms_client.sql import models as m


class HandoffLimits(Limits):
    handoff_wait_minutes: float = Field(default=10.0, gt=0)


async def handoffs_waiting(conn: AsyncConnection, at: ScanInput) -> list[Finding]:
    handoff = m.HandoffRow
    wait = timedelta(minutes=at.limits.handoff_wait_minutes)
    query = (
        select(handoff.id, handoff.chat_key, handoff.reason, handoff.expected_at)
        .where(handoff.state == "waiting", handoff.expected_at < at.now - wait)
        .order_by(handoff.expected_at)
    )
    return [
        Finding(
            "handoff_waiting",
            f"handoff:{row.id}",
            "critical" if row.expected_at < at.now - 3 * wait else "warning",
            {"reason": row.reason, "channel": row.chat_key.partition(":")[0], "since": row.expected_at.isoformat()},
        )
        for row in (await conn.execute(query)).all()
    ]


SCAN = Scan(kinds=("handoff_waiting",), findings=handoffs_waiting)
