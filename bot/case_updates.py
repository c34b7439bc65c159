"""Tells customers, on the channel they used, of every move of their after-sales case made by someone else,
and every agent of each new case.

Runs in every process: the feed's compare-and-set lets one of them queue each batch, and the messages go
through the same outgoing queue (and pacing) as every reply.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from bot.channels.addressed import elsewhere
from bot.channels.port import Renderer
from handlers.aftersales.case_view import CaseView
from handlers.messages import Address
from handlers.notices.cases import case_notice
from handlers.staff.desk import AgentDesk
from handlers.staff.roster import Roster
from oms_client.chats.case_feed import CaseFeed, CaseMove
from oms_client.chats.outgoing import ChatMessage
from oms_client.clock import Clock
from oms_client.store import OrderStore


class CaseUpdates:
    def __init__(
        self,
        feed: CaseFeed,
        store: OrderStore,
        channels: Mapping[str, Renderer],
        clock: Clock,
        desk: AgentDesk,
        roster: Roster,
        on_queued: Callable[[str], None] = lambda chat_key: None,
    ) -> None:
        self.feed, self.store, self.channels, self.clock = feed, store, channels, clock
        self.desk, self.roster, self.on_queued = desk, roster, on_queued

    async def tick(self) -> int:
        """Queue the messages for the moves not yet told; how many were queued."""
        now = self.clock.now()
        seen, moves = await self.feed.pending(now)
        if not moves:
            return 0
        messages = [message for move in moves for message in await self._messages(move)]
        if not await self.feed.deliver(seen, moves[-1].id, messages, now):
            return 0  # another process told these
        for message in messages:
            self.on_queued(f"{message.channel}:{message.chat_id}")
        return len(messages)

    async def _messages(self, move: CaseMove) -> list[ChatMessage]:
        case = await self.store.get_case(move.case_id)
        if move.action is None:
            announcement = self.desk.announcement(case)
            return elsewhere([replace(announcement, to=to) for to in self.roster.agent_addresses()], self.channels)
        view = CaseView(str(case.detail.get("lang", "zh")), self.desk.zone, self.desk.view.return_address)
        reply = case_notice(case, move.action, move.detail, view)
        if reply is None or case.filed_by is None:
            return []  # nothing to tell, or a case from a platform import: no chat to tell it in
        return elsewhere([replace(reply, to=Address.of(case.filed_by))], self.channels)
