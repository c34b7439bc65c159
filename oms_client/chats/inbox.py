"""Chat deliveries as they arrive: recorded once, handled in order per chat, answered in the same transaction.

A platform retries when it is not sure we got a message (WeChat three times within 15 s; Telegram until
the offset moves on), and several processes may receive them, so the unique key decides what is new and
a claim on the oldest unhandled row of a chat decides who handles it. A claim lapses, so a process that
died mid-turn leaves the row to the next one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, SQLColumnExpression, bindparam, func, or_, select, update

from oms_client.chats.outgoing import ChatMessage, Pace, awake, enqueue, enqueue_messages
from oms_client.sql import models as m
from oms_client.sql.database import Database
from oms_client.sql.leases import holder_stopped


class Replayed(Exception):
    """A signed request's timestamp and nonce came back with another delivery: someone is replaying it."""


@dataclass(frozen=True)
class InboxItem:
    id: int
    channel: str
    chat_key: str
    payload: dict[str, Any]
    attempts: int
    received_at: datetime


def _claim_statement() -> Any:
    """The chat's head delivery claimed, in one statement: a process that read the head and then updated
    it could lose it in between."""
    inbox = m.InboxRow
    now = bindparam("claim_now", type_=inbox.claimed_until.type)
    head = (
        select(func.min(inbox.id))
        .where(inbox.chat_key == bindparam("claim_chat"), inbox.handled_at.is_(None))
        .scalar_subquery()
    )
    return (
        update(inbox)
        .where(
            inbox.id == head,
            inbox.handled_at.is_(None),  # re-checked on the row itself, should another process finish it first
            _free(now),
        )
        .values(
            claimed_by=bindparam("claim_holder"),
            claimed_until=bindparam("claim_until", type_=inbox.claimed_until.type),
            attempts=inbox.attempts + 1,
        )
        .returning(inbox.id, inbox.channel, inbox.chat_key, inbox.payload, inbox.attempts, inbox.received_at)
    )


def _free(now: SQLColumnExpression[datetime]) -> ColumnElement[bool]:
    """A delivery nobody is answering: never claimed, its claim ran out, or its holder stopped."""
    inbox = m.InboxRow
    return or_(inbox.claimed_until.is_(None), inbox.claimed_until < now, holder_stopped(inbox.claimed_by, now))


# Every chat turn runs these, so they are built once: building and keying a statement cost more than
# running it (SQLAlchemy remembers a statement object's cache key).
CLAIM = _claim_statement()
HANDLED = (
    update(m.InboxRow)
    .where(m.InboxRow.id == bindparam("handled_id"))
    .values(handled_at=bindparam("handled_now", type_=m.InboxRow.handled_at.type), claimed_until=None)
)


class InboxStore:
    def __init__(self, database: Database, holder: str, claim_for: timedelta = timedelta(seconds=60)) -> None:
        self.database, self.holder, self.claim_for = database, holder, claim_for
        self._record = database.conflict_insert(m.InboxRow).on_conflict_do_nothing().returning(m.InboxRow.id)

    async def record(
        self,
        channel: str,
        key: str,
        chat_key: str,
        payload: dict[str, Any],
        now: datetime,
        replay_key: str | None = None,
        wakes_replies: bool = False,
        claim: bool = False,
    ) -> tuple[int | None, InboxItem | None]:
        """The new delivery's id (None for a redelivery, which changes nothing), and with `claim` the chat's
        next delivery (usually this one) claimed in the same transaction, as `claim_next` would: a chat nobody
        is answering starts without a transaction of its own.

        `replay_key` (a signed request's timestamp and nonce) may come back only with the same delivery,
        as a platform's retry does; with another one the request is a replay and Replayed is raised.
        `wakes_replies`: on a channel whose replies may wait for the customer to write, this is that moment.
        """
        values = {
            "channel": channel,
            "delivery_key": key[:128],
            "chat_key": chat_key,
            "replay_key": replay_key,
            "payload": payload,
            "received_at": now,
            "attempts": 0,
        }

        def record(conn: Connection) -> tuple[int | None, InboxItem | None]:
            new_id: int | None = conn.scalar(self._record, values)
            if new_id is None and replay_key is not None:
                _refuse_replay(conn, channel, key[:128], replay_key)
            if new_id is None:
                return None, None
            if wakes_replies:
                awake(conn, channel, chat_key.partition(":")[2], now)
            return new_id, (self._claim(conn, chat_key, now) if claim else None)

        return await self.database.write.run(record)

    async def claim_next(self, chat_key: str, now: datetime) -> InboxItem | None:
        """The chat's oldest unhandled delivery, if no other process is working on it."""
        return await self.database.write.run(lambda conn: self._claim(conn, chat_key, now))

    def _claim(self, conn: Connection, chat_key: str, now: datetime) -> InboxItem | None:
        params = {
            "claim_chat": chat_key,
            "claim_now": now,
            "claim_holder": self.holder,
            "claim_until": now + self.claim_for,
        }
        row = conn.execute(CLAIM, params).first()
        if row is None:
            return None
        return InboxItem(row.id, row.channel, row.chat_key, row.payload, row.attempts, row.received_at)

    async def finish(
        self,
        item: InboxItem,
        chat_id: str,
        bodies: Sequence[dict[str, Any]],
        pace: Pace,
        now: datetime,
        not_before: datetime | None = None,
        others: Sequence[ChatMessage] = (),
    ) -> InboxItem | None:
        """Mark the delivery handled and queue its replies, and what it relays to other chats, together:
        a crash keeps all or none. Returns the chat's next delivery, claimed in the same transaction, so a
        chat that keeps writing costs one transaction a turn less."""

        def finish(conn: Connection) -> InboxItem | None:
            _handled(conn, item.id, now)
            enqueue(conn, item.channel, chat_id, bodies, pace, now, inbox_id=item.id, not_before=not_before)
            enqueue_messages(conn, others, now)
            return self._claim(conn, item.chat_key, now)

        return await self.database.write.run(finish)

    async def last_received(self, chat_key: str) -> datetime | None:
        """When the chat's user last wrote to us: platforms open their reply windows from it."""
        inbox = m.InboxRow
        async with self.database.read.connect() as conn:
            return await conn.scalar(select(func.max(inbox.received_at)).where(inbox.chat_key == chat_key))

    async def give_up(self, item: InboxItem, error: str, now: datetime) -> None:
        """A delivery that failed every attempt is kept with its error, and no longer blocks its chat."""
        await self.database.write.run(lambda conn: _handled(conn, item.id, now, error))

    async def release(self, item: InboxItem, error: str) -> None:
        """Failed this time: leave it for the next attempt, by this or another process."""
        inbox = m.InboxRow
        statement = update(inbox).where(inbox.id == item.id).values(claimed_until=None, last_error=error[:300])
        await self.database.write.execute(statement)

    async def waiting_chats(self, now: datetime) -> list[str]:
        """Chats with deliveries nobody is handling: left by a crash, a failure, or another process."""
        inbox = m.InboxRow
        at = bindparam("free_now", now, type_=inbox.claimed_until.type)
        query = select(inbox.chat_key).where(inbox.handled_at.is_(None), _free(at)).distinct()
        async with self.database.read.connect() as conn:
            return list((await conn.scalars(query)).all())

    async def unhandled(self) -> int:
        inbox = m.InboxRow
        async with self.database.read.connect() as conn:
            return int(await conn.scalar(select(func.count()).where(inbox.handled_at.is_(None))) or 0)


def _refuse_replay(conn: Connection, channel: str, key: str, replay_key: str) -> None:
    inbox = m.InboxRow
    first = conn.scalar(select(inbox.delivery_key).where(inbox.channel == channel, inbox.replay_key == replay_key))
    if first is not None and first != key:
        raise Replayed(f"{channel} request {replay_key} was first used for another delivery")


def _handled(conn: Connection, item_id: int, now: datetime, error: str | None = None) -> None:
    if error is None:
        conn.execute(HANDLED, {"handled_id": item_id, "handled_now": now})
        return
    values = {"handled_at": now, "claimed_until": None, "last_error": error[:300]}
    conn.execute(update(m.InboxRow).where(m.InboxRow.id == item_id).values(values))
