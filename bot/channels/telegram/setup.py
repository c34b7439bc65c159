"""Telegram at start-up: the command menu in both languages, then webhook or long polling."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.types import BotCommand

from bot.channels.intake import Intake
from bot.channels.telegram.inbound import ALLOWED_UPDATES, RETRY_SECONDS, poll

log = logging.getLogger(__name__)
MENU = {
    "zh": [("orders", "我的订单"), ("help", "帮助"), ("cancel", "取消当前操作")],
    "en": [("orders", "My orders"), ("help", "Help"), ("cancel", "Stop what we're doing")],
}


async def set_menu(bot: Bot) -> None:
    """Chinese for everyone, English for users whose Telegram is in English."""
    for lang, entries in MENU.items():
        commands = [BotCommand(command=name, description=text) for name, text in entries]
        await bot.set_my_commands(commands, language_code=None if lang == "zh" else lang)


async def run_telegram(bot: Bot, intake: Intake, webhook_url: str | None, secret: str | None) -> None:
    """Keep trying to configure Telegram (it may be unreachable at start), then poll unless a webhook is set."""
    while True:
        try:
            await set_menu(bot)
            if webhook_url and secret:
                await bot.set_webhook(webhook_url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
            elif not secret:
                await bot.delete_webhook()  # a webhook left from before would block getUpdates
            break
        except Exception as error:
            log.warning("Telegram set-up failed, trying again in %.0f s: %s", RETRY_SECONDS, error)
            await asyncio.sleep(RETRY_SECONDS)
    if not secret:
        await poll(bot, intake)
