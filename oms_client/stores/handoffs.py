"""Chats handed to service agents, in the SQL store: one open hand-off per chat, claimed by exactly one agent.

A claim is one UPDATE that matches only a waiting hand-off, so of two agents pressing 接入 at once exactly
one gets the chat and the other learns who has it. Opening, claiming and ending are audited in the same
transaction as the change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from oms_client.chats.outgoing import ChatMessage, enqueue_messages
from oms_client.domain import Handoff, HandoffNotFound, HandoffState, HandoffTaken
from oms_client.sql import models as m
from oms_client.sql.audit import audit_row
from oms_client.sql.database import Database

H = m.HandoffRow
OPEN = (HandoffState.WAITING, HandoffState.ACTIVE)
KEPT_WHILE_WAITING = 20


class SqlHandoffs:
    database: Database

    async def open_handoff(
        self, chat_key: str, lang: str, reason: str, summary: dict[str, Any], now: datetime, expected_at: datetime
    ) -> tuple[Handoff, bool]:
        """The chat's open hand-off, and whether this call opened it (False: it was already queued or held)."""
        values = {"chat_key": chat_key, "lang": lang, "reason": reason, "summary": summary,
                  "state": HandoffState.WAITING, "created_at": now, "expected_at": expected_at}  # fmt: skip
        try:
            async with self.database.write.begin() as conn:
                new_id = (await conn.execute(insert(H).values(values).returning(H.id))).scalar_one()
                row = audit_row(chat_key, "handoff.open", ("handoff", str(new_id)), {"reason": reason}, now)
                await conn.execute(insert(m.AuditLogRow), [row])
        except IntegrityError:
            existing = await self.chat_handoff(chat_key)
            if existing is None:
                raise
            return existing, False
        return await self.get_handoff(new_id), True

    async def chat_handoff(self, chat_key: str) -> Handoff | None:
        """The chat's open hand-off (waiting or active), if it has one."""
        found = await self._handoffs(CHAT_HANDOFF, {"chat_key": chat_key})
        return found[0] if found else None

    async def get_handoff(self, handoff_id: int) -> Handoff:
        found = await self._handoffs(_select().where(H.id == handoff_id))
        if not found:
            raise HandoffNotFound(f"no hand-off {handoff_id}")
        return found[0]

    async def waiting_handoffs(self, limit: int = 20) -> list[Handoff]:
        """The queue, oldest first."""
        return await self._handoffs(_select().where(H.state == HandoffState.WAITING).order_by(H.id).limit(limit))

    async def queue_position(self, handoff_id: int) -> int:
        """How many waiting hand-offs are at or before this one: 1 means next."""
        query = select(func.count()).where(H.state == HandoffState.WAITING, H.id <= handoff_id)
        async with self.database.read.connect() as conn:
            return int(await conn.scalar(query) or 0)

    async def agent_handoffs(self, agent_id: str) -> list[Handoff]:
        """The chats an agent holds, the one they turned to last first."""
        query = _select().where(H.agent_id == agent_id, H.state == HandoffState.ACTIVE)
        return await self._handoffs(query.order_by(H.focused_at.desc(), H.id.desc()))

    async def claim_handoff(self, handoff_id: int, agent_id: str, agent_chat: str, now: datetime) -> Handoff:
        """Give a waiting chat to the agent; HandoffTaken when someone else was first (or it has ended)."""
        claimed = {"state": HandoffState.ACTIVE, "agent_id": agent_id, "agent_chat": agent_chat,
                   "claimed_at": now, "focused_at": now}  # fmt: skip
        return await self._move(handoff_id, (HandoffState.WAITING,), claimed, f"agent:{agent_id}", "handoff.claim", now)

    async def focus_handoff(self, handoff_id: int, agent_id: str, now: datetime) -> bool:
        """Make this held chat the one the agent's untargeted messages go to; False if they do not hold it."""
        async with self.database.write.begin() as conn:
            done = await conn.execute(
                update(H)
                .where(H.id == handoff_id, H.agent_id == agent_id, H.state == HandoffState.ACTIVE)
                .values(focused_at=now)
            )
        return done.rowcount == 1

    async def keep_for_agent(self, handoff_id: int, line: dict[str, Any], kind: str = "waiting") -> None:
        """A message the customer sent, the last 20 of a kind: "waiting" ones are shown to whoever claims the
        chat, "relayed" ones (sent while an agent held it) are what the agent's `/label 意图` labels."""
        async with self.database.write.begin() as conn:
            summary = await conn.scalar(select(H.summary).where(H.id == handoff_id))
            if summary is None:
                raise HandoffNotFound(f"no hand-off {handoff_id}")
            kept = [*summary.get(kind, []), line][-KEPT_WHILE_WAITING:]
            await conn.execute(update(H).where(H.id == handoff_id).values(summary=dict(summary) | {kind: kept}))

    async def end_handoff(self, handoff_id: int, by: str, now: datetime) -> Handoff:
        """Give the chat back to the bot; HandoffTaken when it had already ended."""
        ended = {"state": HandoffState.ENDED, "ended_at": now, "ended_by": by[:80]}
        return await self._move(handoff_id, OPEN, ended, by, "handoff.end", now)

    async def unclaimed_since(self, before: datetime) -> list[Handoff]:
        """Waiting hand-offs whose customer was told to expect a person before `before`: nobody came."""
        waited_from = func.coalesce(H.expected_at, H.created_at)
        return await self._handoffs(_select().where(H.state == HandoffState.WAITING, waited_from < before))

    async def give_up(self, handoff_id: int, messages: Sequence[ChatMessage], now: datetime) -> bool:
        """End a hand-off nobody claimed and queue what the customer is told, in one transaction; False when an
        agent claimed it (or the customer left) meanwhile, and then nothing is sent."""
        ended = {"state": HandoffState.ENDED, "ended_at": now, "ended_by": "timeout"}
        try:
            await self._move(handoff_id, (HandoffState.WAITING,), ended, "timeout", "handoff.give_up", now, messages)
        except HandoffTaken:
            return False
        return True

    async def _move(
        self,
        handoff_id: int,
        states: tuple[HandoffState, ...],
        values: dict[str, Any],
        actor: str,
        action: str,
        now: datetime,
        messages: Sequence[ChatMessage] = (),
    ) -> Handoff:
        """Change the hand-off only if it is still in one of `states`, audited and with `messages` queued in the
        same transaction; HandoffTaken (with the hand-off as it is) when it was not."""
        async with self.database.write.begin() as conn:
            done = await conn.execute(update(H).where(H.id == handoff_id, H.state.in_(states)).values(values))
            if done.rowcount == 1:
                row = audit_row(actor, action, ("handoff", str(handoff_id)), {}, now)
                await conn.execute(insert(m.AuditLogRow), [row])
                if messages:
                    await conn.run_sync(enqueue_messages, messages, now)
        current = await self.get_handoff(handoff_id)
        if done.rowcount != 1:
            raise HandoffTaken(current)
        return current

    async def _handoffs(self, query: Select[Any], params: dict[str, Any] | None = None) -> list[Handoff]:
        async with self.database.read.connect() as conn:
            return [_handoff(row) for row in await conn.execute(query, params)]


def _select() -> Select[Any]:
    return select(H.id, H.chat_key, H.lang, H.reason, H.state, H.created_at, H.summary, H.agent_id,
                  H.agent_chat, H.claimed_at)  # fmt: skip


# Asked at every customer turn, so built once (building and keying it cost more than running it).
CHAT_HANDOFF = _select().where(H.chat_key == bindparam("chat_key"), H.state.in_(OPEN))


def _handoff(row: Any) -> Handoff:
    return Handoff(
        id=row.id,
        chat_key=row.chat_key,
        lang=row.lang,
        reason=row.reason,
        state=HandoffState(row.state),
        created_at=row.created_at,
        summary=dict(row.summary or {}),
        agent_id=row.agent_id,
        agent_chat=row.agent_chat,
        claimed_at=row.claimed_at,
    )
