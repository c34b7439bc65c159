"""Replies as Telegram messages: text cut to 4,096 characters, buttons as inline keyboards, images as photos.

Bodies are plain JSON so they can wait in the outgoing queue; text is sent without parse mode, so
whatever a customer or an order title contains is shown as written.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot.channels.text_split import split_text
from handlers.messages import Button, Reply

if TYPE_CHECKING:  # aiogram's types take seconds to import; alert pushes and shops without Telegram never need them
    from aiogram.types import InlineKeyboardMarkup

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_LIMIT_BYTES = 64
BUTTONS_PER_ROW = 2


def callback_data(button: Button, index: int) -> str:
    """The payload itself when it fits Telegram's 64 bytes; otherwise the button's index in its keyboard."""
    return button.payload if len(button.payload.encode()) <= CALLBACK_LIMIT_BYTES else f"#{index}"


def button_rows(buttons: Sequence[Button]) -> list[list[list[str]]]:
    pairs = [[button.label, callback_data(button, i)] for i, button in enumerate(buttons)]
    return [pairs[i : i + BUTTONS_PER_ROW] for i in range(0, len(pairs), BUTTONS_PER_ROW)]


def keyboard(rows: Sequence[Sequence[Sequence[str]]]) -> InlineKeyboardMarkup | None:
    from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

    if not rows:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=label, callback_data=data) for label, data in row] for row in rows]
    )


def bodies(replies: Sequence[Reply]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for reply in replies:
        if reply.image is not None:
            photo = base64.b64encode(reply.image.data).decode()
            out.append({"photo": photo, "mime": reply.image.mime, "caption": reply.image.caption[:CAPTION_LIMIT]})
        chunks = split_text(reply.text, TEXT_LIMIT) if reply.text else []
        for i, chunk in enumerate(chunks):
            last = i == len(chunks) - 1
            out.append({"text": chunk, "buttons": button_rows(reply.buttons) if last else []})
    return out
