"""The Telegram side of the chat port: translate through aiogram's dispatcher, send through the Bot."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import aiohttp
from aiogram import Bot, Dispatcher
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteWebhook,
    GetFile,
    GetUpdates,
    Response,
    SendMessage,
    SendPhoto,
    SetMyCommands,
    SetWebhook,
)
from aiogram.types import BufferedInputFile, Update

from bot.channels.telegram.api import telegram_errors
from bot.channels.telegram.render import bodies, keyboard
from bot.channels.telegram.translate import CHANNEL, build_router
from handlers.messages import IncomingMessage, Reply
from notifications.push import PushFailed, Undeliverable
from oms_client.chats.outgoing import Pace

# Telegram's guidance: about one message a second in a chat (short bursts pass), 20 a minute in a group.
PRIVATE_PACE = Pace(interval=timedelta(seconds=1), burst=timedelta(seconds=2))
GROUP_PACE = Pace(interval=timedelta(seconds=3), burst=timedelta(seconds=3))
# aiogram reads every answer through pydantic's Response[<what the method returns>], a class pydantic makes
# on first use and keeps only weakly: once collected, the next send made it again (2-5 % of a busy process).
# Holding the ones this bot calls keeps them made.
CALLED = (SendMessage, SendPhoto, AnswerCallbackQuery, GetUpdates, GetFile, SetWebhook, DeleteWebhook, SetMyCommands)
KEPT_RESPONSE_MODELS = tuple(Response[method.__returning__] for method in CALLED)  # type: ignore[name-defined]
GONE = {400, 404, 410}  # a file path that expired or never was: fetching again cannot help


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
                parse_mode = "HTML" if body.get("html") else None  # alert pushes are HTML; replies plain text
                await self.bot.send_message(int(chat_id), body["text"], parse_mode=parse_mode, reply_markup=markup)

    async def fetch_media(self, ref: str) -> bytes:
        """A photo by file id: getFile, then the file itself (Bot API servers hand out files up to 20 MB)."""
        with telegram_errors():
            found = await self.bot.get_file(ref)
        if not found.file_path:
            raise Undeliverable(f"Telegram has no file path for {ref[:40]}")
        try:
            buffer = await self.bot.download_file(found.file_path)
        except aiohttp.ClientResponseError as error:
            kind = Undeliverable if error.status in GONE else PushFailed
            raise kind(f"downloading a file: HTTP {error.status}") from error
        except (aiohttp.ClientError, TimeoutError) as error:
            raise PushFailed(f"downloading a file: {type(error).__name__}") from error
        return buffer.read() if buffer is not None else b""

    def pace(self, chat_id: str) -> Pace:
        return GROUP_PACE if chat_id.startswith("-") else PRIVATE_PACE
