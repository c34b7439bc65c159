"""An alert push as a Telegram message body: HTML text with inline buttons whose callback data is the command."""

from __future__ import annotations

import base64
from html import escape
from typing import Any

from bot.channels.telegram.render import CAPTION_LIMIT, TEXT_LIMIT, button_rows
from notifications.compose import PushMessage


def as_html(message: PushMessage) -> str:
    lines = [f"<b>{escape(message.title)}</b>", *(escape(line) for line in message.lines)]
    text = "\n".join(lines)
    if len(text) <= TEXT_LIMIT:
        return text
    return text[: TEXT_LIMIT - 20].rsplit("\n", 1)[0] + "\n…（内容过长，已截断）"


def telegram_bodies(message: PushMessage) -> list[dict[str, Any]]:
    """A message with a picture is the photo, its text the caption (plain: Telegram's 1,024 characters)."""
    if message.image is None:
        return [{"text": as_html(message), "html": True, "buttons": button_rows(message.buttons)}]
    caption = "\n".join((message.title, *message.lines))
    return [{"photo": base64.b64encode(message.image).decode(), "mime": "image/png", "caption": caption[:CAPTION_LIMIT],
             "buttons": button_rows(message.buttons)}]  # fmt: skip
