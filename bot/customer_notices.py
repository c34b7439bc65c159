"""Tells customers, unasked, that their order is late or their parcel stuck, and that someone is on it; and
that an item of theirs was oversold, with their choices, and later that it is back in stock.

Runs after each scan in the process that leads the jobs. At most one delay message per order per shop day, one
oversell offer per order and item, in the chat the customer last proved the order in, only where the platform
lets the bot write first (WeChat and 微信客服 only within 48 hours of the customer's last message: outside that
nothing is queued, and a later run looks again).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from zoneinfo import ZoneInfo

from bot.channels.addressed import elsewhere
from bot.channels.port import Renderer
from bot.channels.reply_window import ReplyWindow
from handlers.messages import Address, Reply
from handlers.notices.delays import delay_notice
from handlers.notices.oversell import offer_notice, restock_notice
from oms_client.alerting import Delay
from oms_client.chats.notices import NoticeStore
from oms_client.chats.outgoing import ChatMessage
from oms_client.clock import Clock
from oms_client.oversell import OversellOffer
from oms_client.store import ChatUser, OrderStore
from oms_client.stores.orders import SqlOrderStore


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
            if await self._may_write(first.channel, first.user_id):
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
        return await may_write(self.renderers, self.windows, channel, chat_id)

    async def _lang(self, delay: Delay) -> str:
        return await chat_lang(self.store, delay.channel, delay.user_id)


class OversellNotices:
    """The oversell loop's messages the bot writes first: the offer of choices, then the restock."""

    def __init__(
        self,
        store: SqlOrderStore,
        renderers: Mapping[str, Renderer],
        windows: Mapping[str, ReplyWindow],
        clock: Clock,
        zone: ZoneInfo,
        on_queued: Callable[[str], None] = lambda chat_key: None,
    ) -> None:
        self.store, self.renderers, self.windows = store, renderers, windows
        self.clock, self.zone, self.on_queued = clock, zone, on_queued

    async def tick(self) -> int:
        """Offer the customers at risk their choices, and tell those who waited of a restock; how many chats."""
        now = self.clock.now()
        due = [offer for offer in await self.store.oversell_due(now) if await self._reachable(offer)]
        langs = {offer.chat_key: await chat_lang(self.store, offer.channel, offer.user_id) for offer in due}

        def render(offers: Sequence[OversellOffer]) -> list[ChatMessage]:
            replies = [_to(offer_notice(offer, langs[offer.chat_key], self.zone), offer) for offer in offers]
            return elsewhere(replies, self.renderers)

        told = [offer.chat_key for offer in await self.store.make_offers(due, render, now)]
        restocked = [offer for offer in await self.store.restocked() if await self._reachable(offer)]
        replies = [_to(restock_notice(o, await chat_lang(self.store, o.channel, o.user_id)), o) for o in restocked]
        if restocked and await self.store.tell_restocked(restocked, elsewhere(replies, self.renderers), now):
            told += [offer.chat_key for offer in restocked]
        for chat_key in dict.fromkeys(told):
            self.on_queued(chat_key)
        return len(set(told))

    async def _reachable(self, offer: OversellOffer) -> bool:
        return await may_write(self.renderers, self.windows, offer.channel, offer.user_id)


def _to(reply: Reply, offer: OversellOffer) -> Reply:
    return replace(reply, to=Address(offer.channel, offer.user_id))


async def may_write(
    renderers: Mapping[str, Renderer], windows: Mapping[str, ReplyWindow], channel: str, chat_id: str
) -> bool:
    """The channel is on here and lets the bot write first to this chat now."""
    window = windows.get(channel)
    return channel in renderers and (window is None or await window.is_open(chat_id))


async def chat_lang(store: OrderStore, channel: str, user_id: str) -> str:
    """The language the chat last spoke in (Chinese for one that never did)."""
    record = await store.load_conversation(ChatUser(channel, user_id))
    return str(record.state.get("lang", "zh")) if record is not None else "zh"
