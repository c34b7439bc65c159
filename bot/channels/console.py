"""The terminal channel behind `xiaoer chat`: one line in, one block of replies out.

Works interactively and with piped stdin; buttons are shown numbered, and typing the number presses
the button, so a transcript reads the same as a chat on a phone. What other chats send this user (an agent's
words, a case update, a new hand-off for an agent) waits in the outgoing queue and is shown after each line,
and every few seconds when interactive.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any, TextIO

from bot.channels.addressed import elsewhere, own_replies
from bot.channels.port import Renderer
from bot.channels.web.render import bodies
from handlers.messages import Button, IncomingMessage, Reply, Responder
from oms_client.chats.chat_log import ChatLog
from oms_client.chats.outgoing import OutgoingStore, Pace
from oms_client.clock import Clock

CHANNEL = "console"
POLL_SECONDS = 2.0


class ConsoleChannel:
    """Messages for a console user are kept in the web chat's shape until their terminal shows them."""

    name = CHANNEL

    def render(self, replies: Sequence[Reply]) -> list[dict[str, Any]]:
        return bodies(replies)

    def pace(self, chat_id: str) -> Pace:
        return Pace(interval=timedelta(0))


class ConsoleDesk:
    """The console's responder: its own answers come back at once, messages for other chats are queued."""

    def __init__(
        self,
        responder: Responder,
        outgoing: OutgoingStore,
        chat_log: ChatLog,
        renderers: Mapping[str, Renderer],
        clock: Clock,
    ) -> None:
        self.responder, self.outgoing, self.chat_log = responder, outgoing, chat_log
        self.renderers, self.clock = renderers, clock

    async def handle(self, message: IncomingMessage) -> list[Reply]:
        replies = await self.responder.handle(message)
        others = elsewhere(replies, self.renderers)
        if others:
            await self.outgoing.queue(others, self.clock.now())
        return own_replies(replies)

    async def news(self, user_id: str) -> list[Reply]:
        """What other chats sent this user since the terminal last looked."""
        lines = await self.chat_log.unread(CHANNEL, user_id, self.clock.now())
        return [_reply(line.body) for line in lines]


def _reply(body: dict[str, Any]) -> Reply:
    buttons = tuple(Button(b["label"], b["payload"]) for b in body.get("buttons", []))
    return Reply(str(body.get("text", "")), buttons)


def render(replies: Sequence[Reply]) -> str:
    blocks = []
    for reply in replies:
        text = reply.text.replace("\n", "\n  ")
        block = f"< {text}"
        if reply.buttons:
            block += "\n  " + "  ".join(f"[{i}] {b.label}" for i, b in enumerate(reply.buttons, start=1))
        if reply.image is not None:
            block += f"\n  [图片 {reply.image.caption}]"
        blocks.append(block)
    return "\n".join(blocks)


def press(line: str, buttons: Sequence[Button]) -> str:
    """A bare number that matches an offered button sends that button's payload."""
    stripped = line.strip()
    if stripped.isdigit() and 1 <= int(stripped) <= len(buttons):
        return buttons[int(stripped) - 1].payload
    return line


async def run_console(desk: ConsoleDesk, user_id: str, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
    interactive = stdin.isatty()
    buttons: list[Button] = []
    poller = asyncio.create_task(_poll(desk, user_id, stdout)) if interactive else None
    line_number = 0
    try:
        while True:
            if interactive:
                stdout.write("> ")
                stdout.flush()
            line = await asyncio.to_thread(stdin.readline)
            if not line:
                break
            line = line.rstrip("\r\n")
            if not interactive:
                stdout.write(f"> {line}\n")
            line_number += 1
            message = IncomingMessage(
                channel=CHANNEL, chat_id=user_id, user_id=user_id, text=press(line, buttons),
                message_id=str(line_number),
            )  # fmt: skip
            replies = [*await desk.handle(message), *await desk.news(user_id)]
            buttons = [button for reply in replies for button in reply.buttons]
            stdout.write(render(replies) + "\n")
            stdout.flush()
    finally:
        if poller is not None:
            poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poller


async def _poll(desk: ConsoleDesk, user_id: str, stdout: TextIO) -> None:
    """Interactive only: show what arrives while the user is typing (an agent's answer)."""
    while True:
        await asyncio.sleep(POLL_SECONDS)
        news = await desk.news(user_id)
        if news:
            stdout.write("\n" + render(news) + "\n> ")
            stdout.flush()
