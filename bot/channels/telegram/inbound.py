"""Updates in: the webhook endpoint and the long-polling loop both store an update before acknowledging it.

The webhook answers 200 only after the update is in the inbox (a failure answers 500 and Telegram sends
it again); polling moves its offset past an update only after storing it. Either way a crash right
after receipt loses nothing, and a second delivery of the same `update_id` changes nothing.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.exceptions import AiogramError, TelegramRetryAfter
from aiohttp import web

from bot.channels.intake import Intake
from bot.channels.telegram.translate import CHANNEL, chat_of

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "callback_query"]
POLL_SECONDS = 25
RETRY_SECONDS = 5.0


async def store_update(intake: Intake, payload: dict[str, Any]) -> bool:
    """True when the update was new; updates nobody answers (edits, member changes) are not stored."""
    chat = chat_of(payload)
    if chat is None:
        return False
    return await intake.accept(CHANNEL, str(payload["update_id"]), chat, payload) is not None


@dataclass(frozen=True)
class Webhook:
    """Telegram posts updates here with the secret set along with the webhook."""

    intake: Intake
    secret: str

    def routes(self, app: web.Application) -> None:
        app.router.add_post(WEBHOOK_PATH, self.receive)

    async def receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            return web.Response(status=401, text="wrong secret token")
        try:
            payload = await request.json()
        except ValueError:
            return web.Response(status=400, text="not JSON")
        if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
            return web.Response(status=400, text="not a Telegram update")
        try:
            await store_update(self.intake, payload)
        except (KeyError, TypeError):
            return web.Response(status=400, text="malformed update")
        return web.Response(text="ok")


async def poll(bot: Bot, intake: Intake) -> None:
    """Long polling; Telegram forgets an update only when a later request's offset has passed it."""
    offset: int | None = None
    while True:
        try:
            updates = await bot.get_updates(
                offset=offset, timeout=POLL_SECONDS, allowed_updates=ALLOWED_UPDATES, request_timeout=POLL_SECONDS + 10
            )
            for update in updates:
                await store_update(intake, update.model_dump(mode="json", exclude_none=True))
                offset = update.update_id + 1
        except TelegramRetryAfter as error:
            await asyncio.sleep(error.retry_after)
        except (TimeoutError, AiogramError, OSError) as error:
            log.warning("getUpdates failed, trying again in %.0f s: %s", RETRY_SECONDS, error)
            await asyncio.sleep(RETRY_SECONDS)
        except Exception:
            log.exception("storing an update failed; it will be fetched again")
            await asyncio.sleep(RETRY_SECONDS)
