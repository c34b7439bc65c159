"""Telegram pushes through aiogram: HTML text with inline buttons whose callback data is the command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from html import escape

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import AiogramError, TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter

from bot.channels.telegram.render import TEXT_LIMIT, button_rows, keyboard
from bot.settings import TELEGRAM_API_BASE
from notifications.compose import PushMessage
from notifications.push import PushFailed, RetryAfter, Undeliverable


def telegram_bot(token: str, base: str = TELEGRAM_API_BASE) -> Bot:
    """A Bot pointed at `base` (Telegram's, a local Bot API server, or a fake in tests)."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(base.rstrip("/")))
    return Bot(token, session=session)


@contextmanager
def telegram_errors() -> Iterator[None]:
    """Bot API failures in the pushers' terms: wait (429), give up (blocked, bad chat), or retry later."""
    try:
        yield
    except TelegramRetryAfter as error:
        raise RetryAfter(float(error.retry_after)) from error
    except (TelegramForbiddenError, TelegramBadRequest) as error:
        raise Undeliverable(f"{type(error).__name__}: {error}"[:300]) from error
    except AiogramError as error:  # network, server errors, and answers that are not JSON (a proxy's 502)
        raise PushFailed(f"{type(error).__name__}: {error}"[:300]) from error


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
