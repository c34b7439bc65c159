"""Tells customers, unasked, that their order is late or their parcel stuck, and that someone is on it.

Runs after each scan in the process that leads the jobs. At most one message per order per shop day, in the
chat the customer last proved the order in, only where the platform lets the bot write first (WeChat and
微信客服 only within 48 hours of the customer's last message: outside that nothing is queued, and the next
day's run looks again).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from zoneinfo import ZoneInfo

from bot.channels.addressed import elsewhere
from bot.channels.port import Renderer
from bot.channels.reply_window import ReplyWindow
from handlers.messages import Address
from handlers.notices.delays import delay_notice
from oms_client.alerting import Delay
from oms_client.chats.notices import NoticeStore
from oms_client.clock import Clock
from oms_client.store import ChatUser, OrderStore


class CustomerNotices:
    def __init__(
        self,
        notices: NoticeStore,
        store: OrderStore,
        renderers: Mapping[str, Renderer],
        windows: Mapping[str, ReplyWindow],
        clock: Clock,
        zone: ZoneInfo,
        on_queued: Callable[[str], None] = lambda chat_key: None,
    ) -> None:
        self.notices, self.store, self.renderers, self.windows = notices, store, renderers, windows
        self.clock, self.zone, self.on_queued = clock, zone, on_queued

    async def tick(self) -> int:
        """Queue today's notices not yet sent; how many chats were written to."""
        now = self.clock.now()
        day = now.astimezone(self.zone).date().isoformat()
        chats: dict[str, list[Delay]] = {}
        for delay in await self.notices.due(day):
            chats.setdefault(delay.chat_key, []).append(delay)
        replies, told = [], []
        for delays in chats.values():
            first = delays[0]
            if first.channel in self.renderers and await self._may_write(first.channel, first.user_id):
                reply = delay_notice(delays, await self._lang(first), now)
                replies.append(replace(reply, to=Address(first.channel, first.user_id)))
                told += delays
        messages = elsewhere(replies, self.renderers)
        if not messages or not await self.notices.tell(told, messages, day, now):
            return 0
        for message in messages:
            self.on_queued(f"{message.channel}:{message.chat_id}")
        return len(messages)

    async def _may_write(self, channel: str, chat_id: str) -> bool:
        window = self.windows.get(channel)
        return window is None or await window.is_open(chat_id)

    async def _lang(self, delay: Delay) -> str:
        record = await self.store.load_conversation(ChatUser(delay.channel, delay.user_id))
        return str(record.state.get("lang", "zh")) if record is not None else "zh"
