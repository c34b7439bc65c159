"""Telegram pushes through aiogram: HTML text with inline buttons whose callback data is the command."""

from __future__ import annotations

from html import escape

from aiogram import Bot

from bot.channels.telegram.api import telegram_errors
from bot.channels.telegram.render import TEXT_LIMIT, button_rows, keyboard
from notifications.compose import PushMessage


def as_html(message: PushMessage) -> str:
    lines = [f"<b>{escape(message.title)}</b>", *(escape(line) for line in message.lines)]
    text = "\n".join(lines)
    if len(text) <= TEXT_LIMIT:
        return text
    return text[: TEXT_LIMIT - 20].rsplit("\n", 1)[0] + "\n…（内容过长，已截断）"


class TelegramPusher:
    def __init__(self, bot: Bot, chat_id: int) -> None:
        self.bot, self.chat_id = bot, chat_id

    async def push(self, message: PushMessage) -> None:
        with telegram_errors():
            await self.bot.send_message(
                self.chat_id, as_html(message), parse_mode="HTML", reply_markup=keyboard(button_rows(message.buttons))
            )
