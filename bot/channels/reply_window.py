"""Tencent's rule for writing to a customer who has not just written: a window after their last message.

WeChat's customer-service messages and WeCom's 微信客服 both allow replies only within 48 hours of the
customer's last message, and at most five per message of theirs. A message outside that (an agent's
answer, a refund notice) is not sent into an error nor dropped: it waits for the customer's next message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Protocol, runtime_checkable

from handlers.messages import Reply
from oms_client.chats.inbox import InboxStore
from oms_client.chats.outgoing import OutgoingStore
from oms_client.clock import Clock

WINDOW = timedelta(hours=48)
MESSAGES_PER_CUSTOMER_MESSAGE = 5


class OutsideWindow(Exception):
    """The platform takes nothing for this chat until the customer writes again."""


class ReplyWindow:
    def __init__(self, channel: str, inbox: InboxStore, outgoing: OutgoingStore, clock: Clock) -> None:
        self.channel, self.inbox, self.outgoing, self.clock = channel, inbox, outgoing, clock

    async def check(self, chat_id: str) -> None:
        """Raise OutsideWindow when the platform would refuse a message to this chat now."""
        last = await self.inbox.last_received(f"{self.channel}:{chat_id}")
        if last is None or self.clock.now() - last > WINDOW:
            raise OutsideWindow("outside the 48-hour window since the customer's last message")
        if await self.outgoing.sent_by_api_since(self.channel, chat_id, last) >= MESSAGES_PER_CUSTOMER_MESSAGE:
            raise OutsideWindow("only 5 messages are allowed per message of the customer")

    async def is_open(self, chat_id: str) -> bool:
        try:
            await self.check(chat_id)
        except OutsideWindow:
            return False
        return True


WAITS_NOTE = "⏳ 这位顾客超过 48 小时没有发消息（或已连发 5 条），按微信的规则，刚才的消息会在顾客下次发消息时送达。"


async def waiting_notes(replies: Sequence[Reply], windows: Mapping[str, ReplyWindow]) -> list[Reply]:
    """A word for the writer (an agent) when what they just sent a WeChat customer cannot go now and waits."""
    for address in dict.fromkeys(reply.to for reply in replies if reply.to is not None):
        window = windows.get(address.channel)
        if window is not None and not await window.is_open(address.chat_id):
            return [Reply(WAITS_NOTE)]
    return []


@runtime_checkable
class Windowed(Protocol):
    """A channel under this rule (WeChat customer-service messages, 微信客服)."""

    window: ReplyWindow
