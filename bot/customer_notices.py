"""Tells customers, unasked, that their order is late or their parcel stuck, and that someone is on it; and
that an item of theirs was oversold, with their choices, and later that it is back in stock.

Runs after each scan in the process that leads the jobs. At most one delay message per order per shop day, one
oversell offer per order and item, in the chat the customer last proved the order in, only where the platform
lets the bot write first (WeChat and 微信客服 only within 48 hours of the customer's last message: outside that
nothing is queued, and a later run looks again).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
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
from oms_client.stores.oversell import SqlOversell


@dataclass(frozen=True)
class Outreach:
    """What writing first to a customer takes: the channels on here, their reply windows, the chat's language,
    the time and zone, and who to wake when a message is queued."""

    store: OrderStore
    renderers: Mapping[str, Renderer]
    windows: Mapping[str, ReplyWindow]
    clock: Clock
    zone: ZoneInfo
    on_queued: Callable[[str], None] = lambda chat_key: None

    async def may_write(self, channel: str, chat_id: str) -> bool:
        """The channel is on here and lets the bot write first to this chat now."""
        window = self.windows.get(channel)
        return channel in self.renderers and (window is None or await window.is_open(chat_id))

    async def lang(self, channel: str, user_id: str) -> str:
        """The language the chat last spoke in (Chinese for one that never did)."""
        record = await self.store.load_conversation(ChatUser(channel, user_id))
        return str(record.state.get("lang", "zh")) if record is not None else "zh"

    def messages(self, replies: Sequence[Reply]) -> list[ChatMessage]:
        return elsewhere(replies, self.renderers)

    def queued(self, chat_keys: Iterable[str]) -> int:
        """Wake the sender for each chat written to; how many."""
        chats = list(dict.fromkeys(chat_keys))
        for chat_key in chats:
            self.on_queued(chat_key)
        return len(chats)


class CustomerNotices:
    def __init__(self, notices: NoticeStore, reach: Outreach) -> None:
        self.notices, self.reach = notices, reach

    async def tick(self) -> int:
        """Queue today's notices not yet sent; how many chats were written to."""
        now = self.reach.clock.now()
        day = now.astimezone(self.reach.zone).date().isoformat()
        chats: dict[str, list[Delay]] = {}
        for delay in await self.notices.due(day):
            chats.setdefault(delay.chat_key, []).append(delay)
        replies, told = [], []
        for delays in chats.values():
            first = delays[0]
            if await self.reach.may_write(first.channel, first.user_id):
                reply = delay_notice(delays, await self.reach.lang(first.channel, first.user_id), now)
                replies.append(replace(reply, to=Address(first.channel, first.user_id)))
                told += delays
        messages = self.reach.messages(replies)
        if not messages or not await self.notices.tell(told, messages, day, now):
            return 0
        return self.reach.queued(f"{message.channel}:{message.chat_id}" for message in messages)


class OversellNotices:
    """The oversell loop's messages the bot writes first: the offer of choices, then the restock."""

    def __init__(self, offers: SqlOversell, reach: Outreach) -> None:
        self.offers, self.reach = offers, reach

    async def tick(self) -> int:
        """Offer the customers at risk their choices, and tell those who waited of a restock; how many chats."""
        now, reach = self.reach.clock.now(), self.reach
        due = [offer for offer in await self.offers.oversell_due(now) if await self._reachable(offer)]
        langs = {offer.chat_key: await reach.lang(offer.channel, offer.user_id) for offer in due}

        def render(offers: Sequence[OversellOffer]) -> list[ChatMessage]:
            return reach.messages([_to(offer_notice(o, langs[o.chat_key], reach.zone), o) for o in offers])

        told = [offer.chat_key for offer in await self.offers.make_offers(due, render, now)]
        restocked = [offer for offer in await self.offers.restocked() if await self._reachable(offer)]
        replies = [_to(restock_notice(o, await reach.lang(o.channel, o.user_id)), o) for o in restocked]
        if restocked and await self.offers.tell_restocked(restocked, reach.messages(replies), now):
            told += [offer.chat_key for offer in restocked]
        return reach.queued(told)

    async def _reachable(self, offer: OversellOffer) -> bool:
        return await self.reach.may_write(offer.channel, offer.user_id)


def _to(reply: Reply, offer: OversellOffer) -> Reply:
    return replace(reply, to=Address(offer.channel, offer.user_id))
