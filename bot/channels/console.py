"""The terminal channel behind `xiaoer chat`: one line in, one block of replies out.

Works interactively and with piped stdin; buttons are shown numbered, and typing the number presses
the button, so a transcript reads the same as a chat on a phone.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from typing import TextIO

from handlers.messages import Button, IncomingMessage, Reply, Responder

CHANNEL = "console"


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


async def run_console(
    responder: Responder, user_id: str, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout
) -> None:
    interactive = stdin.isatty()
    buttons: list[Button] = []
    line_number = 0
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
            channel=CHANNEL, chat_id=user_id, user_id=user_id, text=press(line, buttons), message_id=str(line_number)
        )
        replies = await responder.handle(message)
        buttons = [button for reply in replies for button in reply.buttons]
        stdout.write(render(replies) + "\n")
        stdout.flush()
