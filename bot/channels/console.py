"""The terminal channel behind `xiaoer chat`: one line in, one block of replies out.

Works interactively and with piped stdin; buttons are shown numbered, and typing the number presses
the button, so a transcript reads the same as a chat on a phone. `/photo PATH` (or a dropped image file's path)
sends a picture, as a customer would from a phone. What other chats send this user (an agent's words, a case
update, a new hand-off for an agent) waits in the outgoing queue and is shown after each line, and every few
seconds when interactive. Ctrl-C and Ctrl-D end it at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shlex
import sys
import threading
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO

from bot.channels.addressed import elsewhere, own_replies
from bot.channels.pictures import PICTURE_LIMIT, Pictures
from bot.channels.port import Renderer
from bot.channels.web.render import bodies
from bot.channels.wechat.translate import typed_command
from handlers.messages import Attachment, Button, IncomingMessage, Reply, Responder
from notifications.push import Undeliverable
from oms_client.chats.chat_log import ChatLog
from oms_client.chats.media import picture_type
from oms_client.chats.outgoing import OutgoingStore, Pace
from oms_client.clock import Clock

CHANNEL = "console"
POLL_SECONDS = 2.0
PHOTO_COMMAND = "/photo"
_NUMBERED = re.compile(r"\d+\. ")


class ConsoleChannel:
    """Messages for a console user are kept in the web chat's shape until their terminal shows them."""

    name = CHANNEL

    def render(self, replies: Sequence[Reply]) -> list[dict[str, Any]]:
        return bodies(replies)

    def pace(self, chat_id: str) -> Pace:
        return Pace(interval=timedelta(0))

    async def fetch_media(self, ref: str) -> bytes:
        """A console picture's ref is the file's path, checked by `photo_problem` before it was sent."""
        try:
            return await asyncio.to_thread(Path(ref).read_bytes)
        except OSError as error:
            raise Undeliverable(str(error)) from error


class ConsoleDesk:
    """The console's responder: its own answers come back at once, messages for other chats are queued."""

    def __init__(
        self,
        responder: Responder,
        outgoing: OutgoingStore,
        chat_log: ChatLog,
        renderers: Mapping[str, Renderer],
        clock: Clock,
        pictures: Pictures,
    ) -> None:
        self.responder, self.outgoing, self.chat_log = responder, outgoing, chat_log
        self.renderers, self.clock, self.pictures = renderers, clock, pictures

    async def handle(self, message: IncomingMessage) -> list[Reply]:
        message = await self.pictures.keep(ConsoleChannel(), message)  # kept like a picture from any platform
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
        text = "\n".join(f"  {line}" if line else "" for line in reply.text.split("\n")).removeprefix("  ")
        block = f"< {text}"
        if reply.buttons:
            block += "\n  " + "  ".join(f"[{i}] {_unnumbered(b.label, i)}" for i, b in enumerate(reply.buttons, 1))
        if reply.image is not None:
            block += f"\n  [图片 {reply.image.caption}]"
        blocks.append(block)
    return "\n".join(blocks)


def _unnumbered(label: str, number: int) -> str:
    """A label that already starts with its number ("1. 2124…", matching a numbered list) is not numbered twice."""
    return label.removeprefix(f"{number}. ") if _NUMBERED.match(label) else label


def photo_path(line: str) -> Path | None:
    """The file a line sends as a picture: `/photo PATH`, or a path alone (a file dropped on the terminal,
    which quotes it when it has spaces); None for any other line."""
    stripped = line.strip()
    if stripped.startswith(PHOTO_COMMAND + " ") or stripped == PHOTO_COMMAND:
        named = stripped.removeprefix(PHOTO_COMMAND).strip()
    elif stripped.startswith(("/", "~/", "'/", '"/')) and not stripped.startswith("//"):
        named = stripped
    else:
        return None
    with contextlib.suppress(ValueError):  # an unbalanced quote: take the words as they are
        named = " ".join(shlex.split(named))
    path = Path(named).expanduser()
    return path if stripped.startswith(PHOTO_COMMAND) or path.is_file() else None


def photo_problem(path: Path) -> str | None:
    """Why this file cannot be sent as a picture, said to the user; None when it can."""
    if path == Path():
        return "用法：/photo 图片路径"
    if not path.is_file():
        return f"找不到图片文件：{path}（用法：/photo 图片路径）"
    with path.open("rb") as file:
        head = file.read(16)
    if picture_type(head) is None:
        return f"{path.name} 不是图片：只能发送 JPG、PNG 或 GIF。"
    if path.stat().st_size > PICTURE_LIMIT:
        return f"{path.name} 太大了：图片不能超过 {PICTURE_LIMIT // (1024 * 1024)} MB。"
    return None


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
        news = await desk.news(user_id)  # what was sent to this user while no terminal was open
        if news:
            stdout.write(render(news) + "\n")
        if interactive:
            _prompt(stdout)
        async for line in _lines(stdin):
            line = line.rstrip("\r\n")
            if not interactive:
                stdout.write(f"> {line}\n")
            line_number += 1
            message_or_problem = _message(line, buttons, user_id, str(line_number))
            if isinstance(message_or_problem, str):
                stdout.write(f"< {message_or_problem}\n")
            else:
                replies = [*await desk.handle(message_or_problem), *await desk.news(user_id)]
                buttons = [button for reply in replies for button in reply.buttons]
                stdout.write(render(replies) + "\n")
            if interactive:
                _prompt(stdout)
            stdout.flush()
    finally:
        if poller is not None:
            poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poller


def _prompt(stdout: TextIO) -> None:
    stdout.write("> ")
    stdout.flush()


def _message(line: str, buttons: Sequence[Button], user_id: str, message_id: str) -> IncomingMessage | str:
    """The message a typed line sends, or why it sends nothing (a picture that cannot be sent)."""
    path = photo_path(line)
    attachments: tuple[Attachment, ...] = ()
    if path is None:
        text = press(line, buttons)
    elif problem := photo_problem(path):
        return problem
    else:
        text, attachments = "", (Attachment("image", str(path)),)
    return IncomingMessage(
        channel=CHANNEL,
        chat_id=user_id,
        user_id=user_id,
        text=text,
        attachments=attachments,
        message_id=message_id,
        command=typed_command(text),  # "/help" typed as on any channel, not read as English words
    )


async def _lines(stdin: TextIO) -> AsyncIterator[str]:
    """Lines as they are typed, read in a daemon thread: a thread of the loop's executor blocked in readline
    would keep the process waiting for Enter after Ctrl-C."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str] = asyncio.Queue()

    def read() -> None:
        line = "start"
        while line:
            line = stdin.readline()
            with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is reading any more
                loop.call_soon_threadsafe(queue.put_nowait, line)

    threading.Thread(target=read, name="console-input", daemon=True).start()
    while line := await queue.get():
        yield line


async def _poll(desk: ConsoleDesk, user_id: str, stdout: TextIO) -> None:
    """Interactive only: show what arrives while the user is typing (an agent's answer)."""
    while True:
        await asyncio.sleep(POLL_SECONDS)
        news = await desk.news(user_id)
        if news:
            stdout.write("\n" + render(news) + "\n> ")
            stdout.flush()
