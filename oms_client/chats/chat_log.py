"""A chat as its user reads it, for channels whose users fetch their replies (the web chat).

Such a channel has no platform to push to: a reply counts as sent when the user's page has fetched it,
so the outgoing queue keeps telling the truth about what reached whom.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select, update

from oms_client.sql import models as m
from oms_client.sql.database import Database

MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class Line:
    """One message: the user's own (a delivery) or ours (a reply)."""

    ours: bool
    id: int
    at: datetime
    body: dict[str, Any]
    delivered: bool = True
    answers: int | None = None  # the user's delivery this reply answers


class ChatLog:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def recent(self, channel: str, chat_id: str, now: datetime, limit: int = 60) -> list[Line]:
        """The last `limit` messages both ways, oldest first; ours among them count as delivered."""
        inbox = m.InboxRow
        theirs = (
            select(inbox.id, inbox.received_at, inbox.payload)
            .where(inbox.chat_key == f"{channel}:{chat_id}")
            .order_by(inbox.id.desc())
            .limit(limit)
        )
        async with self.database.read.connect() as conn:
            said = [Line(False, r.id, r.received_at, r.payload) for r in await conn.execute(theirs)]
            newest = _replies(channel, chat_id, now).order_by(m.OutgoingRow.id.desc()).limit(limit)
            answered = [_ours(r) for r in await conn.execute(newest)]
        await self._delivered(answered, now)
        return _in_order(said, answered)[-limit:]

    async def replies_after(self, channel: str, chat_id: str, after: int, now: datetime) -> list[Line]:
        """Our replies newer than the one the page showed last, oldest first, now counted as delivered."""
        query = _replies(channel, chat_id, now).where(m.OutgoingRow.id > after).order_by(m.OutgoingRow.id).limit(100)
        async with self.database.read.connect() as conn:
            lines = [_ours(r) for r in await conn.execute(query)]
        await self._delivered(lines, now)
        return lines

    async def unread(self, channel: str, chat_id: str, now: datetime) -> list[Line]:
        """Our replies the user has not been shown yet, oldest first, now counted as delivered (the console)."""
        query = _replies(channel, chat_id, now).where(m.OutgoingRow.sent_at.is_(None)).order_by(m.OutgoingRow.id)
        async with self.database.read.connect() as conn:
            lines = [_ours(r) for r in await conn.execute(query.limit(100))]
        await self._delivered(lines, now)
        return lines

    async def _delivered(self, lines: Sequence[Line], now: datetime) -> None:
        fresh = [line.id for line in lines if not line.delivered]
        if not fresh:
            return
        out = m.OutgoingRow
        async with self.database.write.begin() as conn:
            await conn.execute(update(out).where(out.id.in_(fresh), out.sent_at.is_(None)).values(sent_at=now))


def _replies(channel: str, chat_id: str, now: datetime) -> Select[Any]:
    """Replies due by now (a queued reply may wait for its time) and not given up."""
    out = m.OutgoingRow
    return select(out.id, out.created_at, out.body, out.sent_at, out.inbox_id).where(
        out.channel == channel, out.chat_id == chat_id, out.send_at <= now, out.failed_at.is_(None)
    )


def _ours(row: Any) -> Line:
    return Line(True, row.id, row.created_at, dict(row.body), row.sent_at is not None, row.inbox_id)


def _in_order(said: list[Line], answered: list[Line]) -> list[Line]:
    """By time, each reply right after the message it answers (clocks of two processes may disagree by more
    than a turn takes); replies nobody asked for (an agent's, a notice) by their own time."""
    asked = {line.id: line.at for line in said}

    def key(line: Line) -> tuple[datetime, int, bool, int]:
        if not line.ours:
            return (line.at, line.id, False, 0)
        if line.answers in asked:
            return (asked[line.answers], line.answers, True, line.id)
        return (line.at, MAX_ID, True, line.id)

    return sorted(said + answered, key=key)
