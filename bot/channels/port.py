"""What the intake and the sender need from a chat platform; each channel package implements it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any, Protocol, runtime_checkable

from handlers.messages import IncomingMessage, Reply
from oms_client.chats.outgoing import Pace


class Renderer(Protocol):
    """Enough to queue messages for a chat: every channel, and the console, whose terminal reads them."""

    name: str

    def render(self, replies: Sequence[Reply]) -> list[dict[str, Any]]:
        """Replies as JSON bodies for the outgoing queue, already cut to the platform's limits."""

    def pace(self, chat_id: str) -> Pace:
        """How fast this platform lets us write to one chat."""


class ChatChannel(Renderer, Protocol):
    """Enough for the intake: a channel whose users fetch their replies (the web chat) needs no more."""

    # How long replies wait for the delivery's own HTTP answer to carry them (WeChat); zero elsewhere.
    reply_hold: timedelta

    async def translate(self, payload: dict[str, Any]) -> IncomingMessage | None:
        """A stored platform delivery as the one message type; None for deliveries that need no answer."""


@runtime_checkable
class MediaSource(Protocol):
    """A channel whose platform keeps the pictures sent to it and hands them out by id."""

    async def fetch_media(self, ref: str) -> bytes:
        """The picture's bytes; PushFailed to try again later, Undeliverable when the platform lost it."""


@runtime_checkable
class AnswersEvents(Protocol):
    """A channel whose answer to some deliveries must carry something of theirs (微信客服's welcome code)."""

    def answer(self, message: IncomingMessage, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]: ...


@runtime_checkable
class PushChannel(ChatChannel, Protocol):
    """A channel the sender writes to through the platform's API."""

    async def send(self, chat_id: str, body: dict[str, Any]) -> None:
        """Deliver one body, or raise PushFailed / Undeliverable / RetryAfter."""
