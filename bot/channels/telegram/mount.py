"""Telegram joins the app when the settings hold a bot token: updates by webhook (with its secret) or polling."""

from __future__ import annotations

import functools
from collections.abc import Mapping

from bot.channels.intake import Intake
from bot.channels.mount import Inbound, Parts
from bot.channels.port import ChatChannel

NAME = "telegram"


def channels(parts: Parts) -> dict[str, ChatChannel]:
    if parts.clients.telegram is None:
        return {}
    from bot.channels.telegram.channel import TelegramChannel  # aiogram loads only when Telegram is on

    return {"telegram": TelegramChannel(parts.clients.telegram)}


def inbound(parts: Parts, intake: Intake, channels: Mapping[str, ChatChannel]) -> Inbound:
    bot, settings = parts.clients.telegram, parts.settings
    if bot is None:
        return Inbound()
    from bot.channels.telegram.inbound import Webhook
    from bot.channels.telegram.setup import run_telegram

    secret = settings.telegram_webhook_secret
    webhook = Webhook(intake, secret) if secret else None

    serve = functools.partial(run_telegram, bot, intake, settings.telegram_webhook_url, secret)
    return Inbound(webhook, serving=(serve,))
