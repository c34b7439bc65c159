"""Tells customers, on the channel they used, of every move of their after-sales case made by someone else.

Runs in every process: the feed's compare-and-set lets one of them queue each batch, and the messages go
through the same outgoing queue (and pacing) as every reply.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from zoneinfo import ZoneInfo

from bot.channels.port import Renderer
from handlers.case_notices import case_notice
from handlers.case_view import CaseView
from oms_client.case_feed import CaseFeed, CaseMove
from oms_client.clock import Clock
from oms_client.outgoing import ChatMessage
from oms_client.store import OrderStore

log = logging.getLogger(__name__)


class CaseUpdates:
    def __init__(
        self,
        feed: CaseFeed,
        store: OrderStore,
        channels: Mapping[str, Renderer],
        clock: Clock,
        zone: ZoneInfo,
        return_address: str,
        on_queued: Callable[[str], None] = lambda chat_key: None,
    ) -> None:
        self.feed, self.store, self.channels, self.clock = feed, store, channels, clock
        self.zone, self.return_address, self.on_queued = zone, return_address, on_queued

    async def tick(self) -> int:
        """Queue the messages for the moves not yet told; how many were queued."""
        now = self.clock.now()
        seen, moves = await self.feed.pending(now)
        if not moves:
            return 0
        messages = [message for move in moves if (message := await self._message(move)) is not None]
        if not await self.feed.deliver(seen, moves[-1].id, messages, now):
            return 0  # another process told these
        for message in messages:
            self.on_queued(f"{message.channel}:{message.chat_id}")
        return len(messages)

    async def _message(self, move: CaseMove) -> ChatMessage | None:
        case = await self.store.get_case(move.case_id)
        channel_name, _, chat_id = (case.filed_by or "").partition(":")
        channel = self.channels.get(channel_name)
        if channel is None or not chat_id:
            log.info("case %d was filed on %r, which cannot be written to; not told", case.id, channel_name)
            return None
        view = CaseView(str(case.detail.get("lang", "zh")), self.zone, self.return_address)
        reply = case_notice(case, move.action, move.detail, view)
        if reply is None:
            return None
        return ChatMessage(channel_name, chat_id, channel.render([reply]), channel.pace(chat_id))
