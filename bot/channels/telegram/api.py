"""The Bot API client: one aiogram Bot per token, pointed at Telegram's server (or a local one, or a fake),
and its failures in the send path's terms, for replies and alert pushes alike."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import AiogramError, TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter

from bot.settings import TELEGRAM_API_BASE
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
