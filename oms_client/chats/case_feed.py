"""The moves of after-sales cases, read in order from the audit log, for telling customers (and, of new
cases, agents) of them.

The read position is a row in `cursors`, moved by compare-and-set in the same transaction that queues the
messages: every move is told exactly once, whichever of several processes gets there, and a crash between
reading and queueing tells it again rather than never. A store that has never been read starts at its end,
so switching this on does not replay old history to customers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from oms_client.case_rules import CaseAction
from oms_client.chats.cursors import CursorStore
from oms_client.chats.outgoing import ChatMessage, enqueue_messages
from oms_client.sql import models as m
from oms_client.sql.database import Database

CURSOR = "case_updates"
FILED = "case.filed"
MOVES = [FILED, *(f"case.{action}" for action in CaseAction)]


@dataclass(frozen=True)
class CaseMove:
    id: int
    case_id: int
    action: CaseAction | None  # None: the case was filed
    actor: str
    detail: dict[str, Any]


class CaseFeed:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.cursors = CursorStore(database)

    async def pending(self, now: datetime, limit: int = 100) -> tuple[int, list[CaseMove]]:
        """The read position and the moves after it, oldest first."""
        log = m.AuditLogRow
        seen = await self.cursors.get(CURSOR)
        if not seen:
            await self._start(now)
            return await self.pending(now, limit)
        query = (
            select(log.id, log.subject_id, log.action, log.actor, log.detail)
            .where(log.id > int(seen), log.subject_type == "case", log.action.in_(MOVES))
            .order_by(log.id)
            .limit(limit)
        )
        async with self.database.read.connect() as conn:
            rows = (await conn.execute(query)).all()
        moves = [CaseMove(r.id, int(r.subject_id), _action(r.action), r.actor, dict(r.detail or {})) for r in rows]
        return int(seen), moves

    async def deliver(self, seen: int, upto: int, messages: Sequence[ChatMessage], now: datetime) -> bool:
        """Queue the messages and move the position from `seen` to `upto`; False (nothing queued) when
        another process moved it first."""
        cursor = m.CursorRow

        def deliver(conn: Connection) -> bool:
            moved = conn.execute(
                update(cursor)
                .where(cursor.name == CURSOR, cursor.value == str(seen))
                .values(value=str(upto), updated_at=now)
            )
            if moved.rowcount != 1:
                return False  # nothing was written in this transaction
            enqueue_messages(conn, messages, now)
            return True

        return await self.database.write.run(deliver)

    async def _start(self, now: datetime) -> None:
        """Begin at the log's end; when two processes start at once, the first one's position stands."""
        try:
            async with self.database.write.begin() as conn:
                last = await conn.scalar(select(func.coalesce(func.max(m.AuditLogRow.id), 0)))
                await conn.execute(insert(m.CursorRow).values(name=CURSOR, value=str(last), updated_at=now))
        except IntegrityError:
            pass


def _action(logged: str) -> CaseAction | None:
    return None if logged == FILED else CaseAction(logged.removeprefix("case."))
