"""Outbound events in the outbox: queued inside the transaction of the change they report, then read in
order by the webhook relay, marked delivered, or put back for a later attempt. They never become dead
letters: an event the seller's system has not taken yet waits, however long, behind its order's others."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from oms_client.events import EVENTS_TARGET, OutboundEvent
from oms_client.sql import models as m
from oms_client.sql.database import Database


@dataclass(frozen=True)
class QueuedEvent:
    row_id: int
    stream: str
    body: dict[str, Any]
    attempts: int
    not_before: datetime


async def queue_events(conn: AsyncConnection, events: Sequence[OutboundEvent], now: datetime) -> None:
    rows = [
        {
            "target": EVENTS_TARGET,
            "kind": "event",
            "severity": "info",
            "payload": event.body(),
            "dedupe_key": event.id,
            "created_at": now,
            "not_before": now,
            "stream": event.stream,
        }
        for event in events
    ]
    if rows:
        await conn.execute(insert(m.OutboxRow), rows)


class EventOutbox:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def waiting(self, limit: int) -> list[QueuedEvent]:
        """The oldest undelivered events, due or not: one not yet due holds back the rest of its stream."""
        outbox = m.OutboxRow
        query = (
            select(outbox.id, outbox.stream, outbox.payload, outbox.attempts, outbox.not_before)
            .where(outbox.target == EVENTS_TARGET, outbox.sent_at.is_(None))
            .order_by(outbox.id)
            .limit(limit)
        )
        async with self.database.read.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [QueuedEvent(row.id, row.stream or "", row.payload, row.attempts, row.not_before) for row in rows]

    async def delivered(self, row_id: int, now: datetime) -> None:
        outbox = m.OutboxRow
        async with self.database.write.begin() as conn:
            await conn.execute(update(outbox).where(outbox.id == row_id).values(sent_at=now))

    async def retry(self, row_id: int, error: str, at: datetime) -> None:
        outbox = m.OutboxRow
        async with self.database.write.begin() as conn:
            await conn.execute(
                update(outbox)
                .where(outbox.id == row_id)
                .values(attempts=outbox.attempts + 1, last_error=error[:300], not_before=at)
            )
