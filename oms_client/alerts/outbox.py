"""The outbox as the relay sees it: what is due per target, what each target was sent lately, failures.

Rows are written by whoever has news (scans, escalation, reports) in their own transaction; here they are
only read, marked sent once, postponed, or moved to the dead-letter table after the last attempt.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from oms_client.alerting import SEVERITY_RANK, Alert
from oms_client.alerts.lifecycle import alert_from_row
from oms_client.events import EVENTS_TARGET
from oms_client.sql import models as m
from oms_client.sql.database import Database, chunks


@dataclass(frozen=True)
class OutboxItem:
    id: int
    target: str
    kind: str  # "opened", "worsened", "resolved", "escalation", "dead_letters", ...
    severity: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime
    alert: Alert | None = None


@dataclass(frozen=True)
class DueBatch:
    """Everything due for one target: all ids, a count per topic, and the worst few in full."""

    ids: list[int]
    shown: list[OutboxItem]
    topics: Counter[str] = field(default_factory=Counter)  # alert kind, or message kind without an alert
    held: bool = False  # some waited (quiet hours, retries): what piled up is better read as one digest


@dataclass(frozen=True)
class DeadLetters:
    target: str
    count: int
    last_error: str | None
    ids: list[int]


class OutboxStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def targets_due(self, now: datetime) -> list[str]:
        outbox = m.OutboxRow
        pushes = (outbox.sent_at.is_(None), outbox.not_before <= now, outbox.target != EVENTS_TARGET)
        query = select(outbox.target).where(*pushes).distinct()
        async with self.database.read.connect() as conn:
            return sorted((await conn.scalars(query)).all())

    async def due(self, target: str, now: datetime, shown: int) -> DueBatch:
        outbox, alert = m.OutboxRow, m.AlertRow
        worst_first = (case(SEVERITY_RANK, value=outbox.severity, else_=-1).desc(), outbox.id)
        query = (
            select(outbox.id, outbox.kind, outbox.created_at, outbox.not_before, alert.kind.label("alert_kind"))
            .outerjoin(alert, alert.id == outbox.alert_id)
            .where(outbox.target == target, outbox.sent_at.is_(None), outbox.not_before <= now)
            .order_by(*worst_first)
        )
        async with self.database.read.connect() as conn:
            rows = (await conn.execute(query)).all()
            items = await _items(conn, [row.id for row in rows[:shown]])
        topics = Counter(row.alert_kind or row.kind for row in rows)
        held = any(row.not_before > row.created_at for row in rows)
        return DueBatch(ids=[row.id for row in rows], shown=items, topics=topics, held=held)

    async def sent_since(self, target: str, since: datetime) -> int:
        """Messages that reached `target` since then, by any process: the shared rate-limit budget."""
        delivery = m.DeliveryRow
        query = select(func.count()).where(delivery.target == target, delivery.sent_at > since)
        async with self.database.read.connect() as conn:
            return int(await conn.scalar(query) or 0)

    async def mark_sent(self, target: str, ids: Sequence[int], now: datetime) -> int:
        """Record one delivery covering `ids`; rows already sent (by another relay) are not counted twice."""
        outbox = m.OutboxRow
        async with self.database.write.begin() as conn:
            delivery_id = await conn.scalar(
                insert(m.DeliveryRow).values(target=target, sent_at=now, items=len(ids)).returning(m.DeliveryRow.id)
            )
            marked = 0
            for part in chunks(ids):
                result = await conn.execute(
                    update(outbox)
                    .where(outbox.id.in_(part), outbox.sent_at.is_(None))
                    .values(sent_at=now, delivery_id=delivery_id)
                )
                marked += result.rowcount
            return marked

    async def postpone(self, target: str, until: datetime) -> None:
        """The target asked us to wait (429 / retry-after): nothing for it is tried before `until`."""
        outbox = m.OutboxRow
        async with self.database.write.begin() as conn:
            await conn.execute(
                update(outbox)
                .where(outbox.target == target, outbox.sent_at.is_(None), outbox.not_before < until)
                .values(not_before=until)
            )

    async def failed(
        self,
        ids: Sequence[int],
        error: str,
        now: datetime,
        delay: Callable[[int], timedelta],
        max_attempts: int,
    ) -> int:
        """Count one more attempt; retry after `delay(attempts)`, or give up into dead letters. Returns dead.

        The rows of one failed message keep travelling together: one retry time for all of them, written
        in one statement per chunk rather than a round trip per row (a failed digest can hold thousands).
        """
        outbox = m.OutboxRow
        dead = 0
        async with self.database.write.begin() as conn:
            for part in chunks(ids):
                rows = (await conn.execute(select(outbox).where(outbox.id.in_(part), outbox.sent_at.is_(None)))).all()
                doomed = [row for row in rows if row.attempts + 1 >= max_attempts]
                alive = [row for row in rows if row.attempts + 1 < max_attempts]
                if alive:
                    retry_at = now + delay(max(row.attempts for row in alive) + 1)
                    await conn.execute(
                        update(outbox)
                        .where(outbox.id.in_([row.id for row in alive]))
                        .values(attempts=outbox.attempts + 1, last_error=error[:300], not_before=retry_at)
                    )
                await _bury(conn, doomed, error, now)
                dead += len(doomed)
        return dead

    async def unreported_dead(self) -> list[DeadLetters]:
        """Dead letters not yet reported, per target; a dead report is counted with the rest but never
        reported itself, so a fully broken set of targets cannot feed itself reports forever."""
        table = m.DeadLetterRow
        query = (
            select(table.id, table.target, table.kind, table.last_error)
            .where(table.reported_at.is_(None))
            .order_by(table.id)
        )
        async with self.database.read.connect() as conn:
            rows = (await conn.execute(query)).all()
        by_target: dict[str, list[Any]] = {}
        for row in rows:
            by_target.setdefault(row.target, []).append(row)
        return [
            DeadLetters(
                target,
                sum(row.kind != "dead_letters" for row in found),
                found[-1].last_error,
                [row.id for row in found],
            )
            for target, found in by_target.items()
        ]

    async def report_dead(self, letters: DeadLetters, messages: Sequence[dict[str, Any]], now: datetime) -> None:
        """Queue the report of these dead letters and mark them reported, together."""
        table = m.DeadLetterRow
        async with self.database.write.begin() as conn:
            if messages:
                await conn.execute(insert(m.OutboxRow), list(messages))
            for part in chunks(letters.ids):
                await conn.execute(update(table).where(table.id.in_(part)).values(reported_at=now))

    async def enqueue(self, messages: Sequence[dict[str, Any]]) -> None:
        async with self.database.write.begin() as conn:
            for part in chunks(messages):
                await conn.execute(insert(m.OutboxRow), list(part))

    async def enqueue_once(self, messages: Sequence[dict[str, Any]]) -> int:
        """Messages keyed by `dedupe_key`, each queued unless one with its key already was; how many were."""
        statement = self.database.conflict_insert(m.OutboxRow).on_conflict_do_nothing()
        async with self.database.write.begin() as conn:
            done = [await conn.execute(statement.values(message).returning(m.OutboxRow.id)) for message in messages]
            return sum(result.first() is not None for result in done)

    async def oldest(self, events: bool) -> datetime | None:
        """When the longest-waiting unsent message was queued: of the outbound events, or of the pushes."""
        outbox = m.OutboxRow
        which = outbox.target == EVENTS_TARGET if events else outbox.target != EVENTS_TARGET
        async with self.database.read.connect() as conn:
            return await conn.scalar(select(func.min(outbox.created_at)).where(outbox.sent_at.is_(None), which))

    async def has(self, dedupe_key: str) -> bool:
        async with self.database.read.connect() as conn:
            return await conn.scalar(select(m.OutboxRow.id).where(m.OutboxRow.dedupe_key == dedupe_key)) is not None

    async def pending(self, target: str | None = None) -> int:
        outbox = m.OutboxRow
        query = select(func.count()).where(outbox.sent_at.is_(None))
        if target is not None:
            query = query.where(outbox.target == target)
        async with self.database.read.connect() as conn:
            return int(await conn.scalar(query) or 0)


async def _items(conn: AsyncConnection, ids: list[int]) -> list[OutboxItem]:
    if not ids:
        return []
    outbox, alert = m.OutboxRow, m.AlertRow
    rows = (await conn.execute(select(outbox).where(outbox.id.in_(ids)))).all()
    alert_ids = {row.alert_id for row in rows if row.alert_id is not None}
    alerts = {
        row.id: alert_from_row(row) for row in (await conn.execute(select(alert).where(alert.id.in_(alert_ids)))).all()
    }
    by_id = {
        row.id: OutboxItem(
            row.id,
            row.target,
            row.kind,
            row.severity,
            row.payload,
            row.attempts,
            row.created_at,
            alerts.get(row.alert_id),
        )
        for row in rows
    }
    return [by_id[i] for i in ids if i in by_id]


async def _bury(conn: AsyncConnection, rows: Sequence[Any], error: str, now: datetime) -> None:
    if not rows:
        return
    letters = [
        {
            "outbox_id": row.id,
            "target": row.target,
            "kind": row.kind,
            "payload": row.payload | ({"alert_id": row.alert_id} if row.alert_id else {}),
            "attempts": row.attempts + 1,
            "last_error": error[:300],
            "created_at": row.created_at,
            "died_at": now,
        }
        for row in rows
    ]
    await conn.execute(insert(m.DeadLetterRow), letters)
    await conn.execute(delete(m.OutboxRow).where(m.OutboxRow.id.in_([row.id for row in rows])))
