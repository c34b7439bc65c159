"""Small drivers for conversations in tests."""

from __future__ import annotations

from handlers.dialogue import Dialogue
from handlers.messages import IncomingMessage, Reply


async def send(dialogue: Dialogue, text: str, user: str = "u1", channel: str = "console") -> list[Reply]:
    return await dialogue.handle(IncomingMessage(channel=channel, chat_id=user, user_id=user, text=text))


async def ask(dialogue: Dialogue, text: str, user: str = "u1") -> str:
    """The replies' text, joined: what the user reads."""
    return "\n".join(reply.text for reply in await send(dialogue, text, user))


def wrong_tail(tail: str) -> str:
    return "0000" if tail != "0000" else "1111"
