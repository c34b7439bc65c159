"""The Telegram side of the chat port: translate through aiogram's dispatcher, send through the Bot."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import BufferedInputFile, Update

from bot.channels.telegram.render import bodies, keyboard
from bot.channels.telegram.translate import CHANNEL, build_router
from bot.pushers.telegram import telegram_errors
from handlers.messages import IncomingMessage, Reply
from oms_client.outgoing import Pace

# Telegram's guidance: about one message a second in a chat (short bursts pass), 20 a minute in a group.
PRIVATE_PACE = Pace(interval=timedelta(seconds=1), burst=timedelta(seconds=2))
GROUP_PACE = Pace(interval=timedelta(seconds=3), burst=timedelta(seconds=3))


class TelegramChannel:
    name = CHANNEL
    reply_hold = timedelta(0)

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.dispatcher = Dispatcher()
        self.dispatcher.include_router(build_router())

    async def translate(self, payload: dict[str, Any]) -> IncomingMessage | None:
        update = Update.model_validate(payload, context={"bot": self.bot})
        result = await self.dispatcher.feed_update(self.bot, update)
        return result if isinstance(result, IncomingMessage) else None

    def render(self, replies: Sequence[Reply]) -> list[dict[str, Any]]:
        return bodies(replies)

    async def send(self, chat_id: str, body: dict[str, Any]) -> None:
        markup = keyboard(body.get("buttons", []))
        with telegram_errors():
            if "photo" in body:
                photo = BufferedInputFile(base64.b64decode(body["photo"]), filename="image.png")
                await self.bot.send_photo(int(chat_id), photo, caption=body.get("caption") or None, reply_markup=markup)
            else:
                await self.bot.send_message(int(chat_id), body["text"], reply_markup=markup)

    def pace(self, chat_id: str) -> Pace:
        return GROUP_PACE if chat_id.startswith("-") else PRIVATE_PACE
