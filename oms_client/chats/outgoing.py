"""Replies waiting for their chat: queued with the turn that made them, sent in order, paced per chat.

Pacing is decided when a reply is queued (a GCRA schedule per chat: `pace_at` of the chat's last row is
when it may be written to again), so every process that sends agrees on it without sharing memory.
Only the oldest unsent reply of a chat may be claimed, so replies never overtake each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, exists, func, insert, or_, select, update
from sqlalchemy.orm import aliased

from oms_client.sql import models as m
from oms_client.sql.database import Database


@dataclass(frozen=True)
class Pace:
    """At most one message per `interval` to a chat, after a burst of `burst / interval` extra ones."""

    interval: timedelta
    burst: timedelta = timedelta(0)


@dataclass(frozen=True)
class OutgoingItem:
    id: int
    channel: str
    chat_id: str
    body: dict[str, Any]
    attempts: int


def enqueue(
    conn: Connection,
    channel: str,
    chat_id: str,
    bodies: Sequence[dict[str, Any]],
    pace: Pace,
    now: datetime,
    inbox_id: int | None = None,
    not_before: datetime | None = None,
) -> None:
    """Queue replies inside the caller's transaction, scheduled after what the chat was last sent.

    `not_before` holds them back from the sender while the delivery's HTTP request may still carry the
    first one as its answer (WeChat's passive reply).
    """
    if not bodies:
        return
    out = m.OutgoingRow
    last = conn.scalar(LAST_PACE, {"pace_channel": channel, "pace_chat": chat_id})
    pace_at = max(last or now, now)
    rows = []
    for body in bodies:
        send_at = max(now, not_before or now, pace_at - pace.burst)
        pace_at = max(pace_at, now) + pace.interval
        rows.append(
            {
                "channel": channel,
                "chat_id": chat_id,
                "inbox_id": inbox_id,
                "body": body,
                "created_at": now,
                "send_at": send_at,
                "pace_at": pace_at,
                "attempts": 0,
            }
        )
    conn.execute(insert(out), rows)


@dataclass(frozen=True)
class ChatMessage:
    """Messages for one chat that answer nobody there: a case update, a relay between customer and agent."""

    channel: str
    chat_id: str
    bodies: list[dict[str, Any]]
    pace: Pace


def enqueue_messages(conn: Connection, messages: Sequence[ChatMessage], now: datetime) -> None:
    for message in messages:
        enqueue(conn, message.channel, message.chat_id, message.bodies, message.pace, now)


def awake(conn: Connection, channel: str, chat_id: str, now: datetime) -> None:
    """The customer wrote: what waited for that is due again, inside the caller's transaction."""
    conn.execute(AWAKE, {"awake_channel": channel, "awake_chat": chat_id, "awake_now": now})


def _unclaimed(out: Any, now: Any) -> Any:
    return or_(out.claimed_until.is_(None), out.claimed_until < now)


def _earlier_unsent(out: Any) -> Any:
    """A row of the same chat before `out` that is neither sent nor given up: `out` must wait for it."""
    earlier = aliased(m.OutgoingRow)
    return exists().where(
        earlier.channel == out.channel,
        earlier.chat_id == out.chat_id,
        earlier.id < out.id,
        earlier.sent_at.is_(None),
        earlier.failed_at.is_(None),
    )


_OUT = m.OutgoingRow
# Every turn runs these, so they are built once: building and keying a statement cost more than running it.
LAST_PACE = (
    select(_OUT.pace_at)
    .where(_OUT.channel == bindparam("pace_channel"), _OUT.chat_id == bindparam("pace_chat"))
    .order_by(_OUT.id.desc())
    .limit(1)
)
SENT = (
    update(_OUT)
    .where(_OUT.id.in_(bindparam("sent_ids", expanding=True)))
    .values(sent_at=bindparam("sent_now", type_=_OUT.sent_at.type), claimed_until=None)
)


def _due_statements() -> tuple[Any, Any]:
    """The chats' heads that are due, and claiming them (re-checked: another process may have been first)."""
    out, now = _OUT, bindparam("due_now", type_=_OUT.send_at.type)
    waiting = (out.sent_at.is_(None), out.failed_at.is_(None), out.awaits_customer.is_(False))
    channels = out.channel.in_(bindparam("due_channels", expanding=True))
    heads = (
        select(out.id)
        .where(*waiting, out.send_at <= now, channels, _unclaimed(out, now), ~_earlier_unsent(out))
        .order_by(out.send_at, out.id)
        .limit(bindparam("due_limit"))
    )
    claim = (
        update(out)
        .where(out.id.in_(bindparam("due_ids", expanding=True)), _unclaimed(out, now))
        .values(claimed_until=bindparam("due_until", type_=out.claimed_until.type))
        .returning(out.id, out.channel, out.chat_id, out.body, out.attempts)
    )
    return heads, claim


DUE_HEADS, CLAIM_DUE = _due_statements()
AWAKE = (
    update(_OUT)
    .where(_OUT.channel == bindparam("awake_channel"), _OUT.chat_id == bindparam("awake_chat"))
    .where(_OUT.awaits_customer.is_(True))
    .values(awaits_customer=False, send_at=bindparam("awake_now", type_=_OUT.send_at.type))
)


def _take_passive_statement() -> Any:
    out, answer = _OUT, aliased(m.OutgoingRow)
    now = bindparam("passive_now", type_=_OUT.sent_at.type)
    first = select(func.min(answer.id)).where(answer.inbox_id == bindparam("passive_inbox")).scalar_subquery()
    return (
        update(out)
        .where(
            out.id == first,
            out.body["text"].as_string().is_not(None),
            out.sent_at.is_(None),
            out.failed_at.is_(None),
            _unclaimed(out, now),
            ~_earlier_unsent(out),
        )
        .values(sent_at=now, passive=True, claimed_until=None)
        .returning(out.body)
    )


TAKE_PASSIVE = _take_passive_statement()


class OutgoingStore:
    def __init__(self, database: Database, claim_for: timedelta = timedelta(seconds=60)) -> None:
        self.database, self.claim_for = database, claim_for

    async def claim_due(self, channels: Sequence[str], now: datetime, limit: int) -> list[OutgoingItem]:
        """The oldest unsent reply of each chat that is due and unclaimed, claimed for this process."""
        due = {"due_now": now, "due_channels": list(channels), "due_limit": limit}

        def claim(conn: Connection) -> list[OutgoingItem]:
            ids = list(conn.scalars(DUE_HEADS, due).all())
            if not ids:
                return []
            claimed = conn.execute(CLAIM_DUE, {"due_now": now, "due_ids": ids, "due_until": now + self.claim_for})
            rows = sorted(claimed.all(), key=lambda row: row.id)
            return [OutgoingItem(r.id, r.channel, r.chat_id, r.body, r.attempts) for r in rows]

        return await self.database.write.run(claim)

    async def queue(self, messages: Sequence[ChatMessage], now: datetime) -> None:
        """Queue messages made outside a delivery's turn (the console's) in one transaction."""
        await self.database.write.run(lambda conn: enqueue_messages(conn, messages, now))

    async def take_passive(self, inbox_id: int, now: datetime) -> dict[str, Any] | None:
        """The first reply to a delivery, marked sent as the delivery's HTTP answer, if nothing else has it.

        Only a text at the head of its chat qualifies (it must not overtake earlier ones; media need an
        upload first), and only while no sender has claimed it; the update is one statement, so a sender
        and a request never both win.
        """
        params = {"passive_inbox": inbox_id, "passive_now": now}
        body = await self.database.write.run(lambda conn: conn.scalar(TAKE_PASSIVE, params))
        return dict(body) if body is not None else None

    async def sent_by_api_since(self, channel: str, chat_id: str, since: datetime) -> int:
        """Replies sent through the platform's API (not passively) since a moment: WeChat caps them."""
        out = m.OutgoingRow
        query = select(func.count()).where(
            out.channel == channel, out.chat_id == chat_id, out.sent_at >= since, out.passive.is_(False)
        )
        async with self.database.read.connect() as conn:
            return int(await conn.scalar(query) or 0)

    async def sent(self, item_ids: Sequence[int], now: datetime) -> None:
        if not item_ids:
            return
        await self.database.write.execute(SENT, {"sent_ids": list(item_ids), "sent_now": now})

    async def let_go(self, items: Sequence[OutgoingItem]) -> None:
        """Claimed but not sent this round (the shared send budget ran out): due again for any process."""
        if items:
            out = m.OutgoingRow
            ids = [item.id for item in items]
            await self.database.write.execute(update(out).where(out.id.in_(ids)).values(claimed_until=None))

    async def retry(self, item: OutgoingItem, error: str, at: datetime) -> None:
        await self._set(item.id, attempts=item.attempts + 1, last_error=error[:300], send_at=at, claimed_until=None)

    async def failed(self, item: OutgoingItem, error: str, now: datetime) -> None:
        """Given up (the user blocked the bot, or the last attempt failed): kept, and no longer blocks the chat."""
        await self._set(item.id, attempts=item.attempts + 1, last_error=error[:300], failed_at=now, claimed_until=None)

    async def await_customer(self, item: OutgoingItem, why: str) -> None:
        """Keep a reply the platform will not take now until the customer writes (see `awake`)."""
        await self._set(item.id, awaits_customer=True, last_error=why[:300], claimed_until=None)

    async def hold_chat(self, channel: str, chat_id: str, until: datetime) -> None:
        """The platform asked us to wait (429): nothing more goes to this chat before `until`."""
        out = m.OutgoingRow
        await self.database.write.execute(
            update(out)
            .where(out.channel == channel, out.chat_id == chat_id, out.sent_at.is_(None), out.send_at < until)
            .values(send_at=until, claimed_until=None)
        )

    async def unsent(self, channel: str | None = None) -> int:
        out = m.OutgoingRow
        query = select(func.count()).where(out.sent_at.is_(None), out.failed_at.is_(None))
        if channel is not None:
            query = query.where(out.channel == channel)
        async with self.database.read.connect() as conn:
            return int(await conn.scalar(query) or 0)

    async def _set(self, item_id: int, **values: Any) -> None:
        await self.database.write.execute(update(m.OutgoingRow).where(m.OutgoingRow.id == item_id).values(values))
