"""The one message type every channel turns platform updates into, and the replies it renders back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Attachment:
    kind: str  # "image", "file", "voice", ...
    ref: str  # the platform's media id or a URL


def picture_refs(attachments: Sequence[Attachment]) -> tuple[str, ...]:
    """The refs of the pictures among attachments: evidence for a case, or what is relayed to an agent."""
    return tuple(a.ref for a in attachments if a.kind == "image")


@dataclass(frozen=True)
class IncomingMessage:
    channel: str  # "console", "telegram", "wechat", "wecom", "web"
    chat_id: str
    user_id: str
    text: str
    attachments: tuple[Attachment, ...] = ()
    message_id: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)
    # A chat command ("start", "help", "orders", "cancel", "ack", ...) without its slash or @botname;
    # `text` still holds the whole line so staff commands read the same on every channel.
    command: str | None = None
    # The sender's network address where the channel sees it (the web chat; platforms' servers call the
    # others): failures to prove an order are capped per address too, since a new cookie is a new user.
    client: str | None = None

    @property
    def command_args(self) -> str:
        """What follows the command word: a deep-link payload, an alert number."""
        parts = self.text.split(maxsplit=1)
        return parts[1] if self.command and len(parts) == 2 else ""


@dataclass(frozen=True)
class Button:
    """A choice offered to the user; pressing it sends `payload` back as if typed."""

    label: str
    payload: str


@dataclass(frozen=True)
class Image:
    data: bytes
    mime: str = "image/png"
    caption: str = ""


@dataclass(frozen=True)
class Address:
    """A chat by channel and id: where a message goes that is not an answer to its writer (a relay)."""

    channel: str
    chat_id: str

    @classmethod
    def of(cls, chat_key: str) -> Address:
        """From the "channel:chat_id" key chats are stored under."""
        channel, _, chat_id = chat_key.partition(":")
        return cls(channel, chat_id)

    @property
    def key(self) -> str:
        return f"{self.channel}:{self.chat_id}"


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = ()
    image: Image | None = None
    to: Address | None = None  # None: the chat that wrote; else another chat (an agent's, a customer's)
    # Pictures taken in earlier (their attachment refs) shown after the text: a customer's photo relayed
    # to their agent, the evidence on a case. The channel layer turns kept ones into images.
    pictures: tuple[str, ...] = ()


class Responder(Protocol):
    """Anything a channel can hand a message to: the front desk, or the customer dialogue alone."""

    async def handle(self, message: IncomingMessage) -> list[Reply]: ...
