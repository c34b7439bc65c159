"""Pushers for the configured alert targets, from the credentials in the settings."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

import aiohttp

from bot.channels.tencent_api import TencentApi, wecom_api
from bot.pushers.wecom import WeComAppPusher, WeComRobotPusher
from bot.settings import Settings
from notifications.compose import PushMessage
from notifications.config import Target
from notifications.push import Pusher, RetryAfter
from oms_client.budgets import SENDS, Budgets
from oms_client.clock import Clock
from oms_client.tokens import SharedTokens

if TYPE_CHECKING:  # aiogram takes seconds to import; a shop without Telegram never loads it
    from aiogram import Bot

log = logging.getLogger(__name__)


@dataclass
class PushClients:
    """The HTTP clients pushers share; closed with the app."""

    session: aiohttp.ClientSession
    telegram: Bot | None = None
    wecom: TencentApi | None = None
    pushers: dict[str, Pusher] = field(default_factory=dict)

    async def close(self) -> None:
        if self.telegram is not None:
            await self.telegram.session.close()
        await self.session.close()


@dataclass(frozen=True)
class Shared:
    """What the processes of one shop share through the store: platform access tokens, the bot's send rate."""

    tokens: SharedTokens
    budgets: Budgets
    clock: Clock


@dataclass(frozen=True)
class WithinRate:
    """A Telegram pusher that counts against the bot's overall rate with the replies of every process."""

    pusher: Pusher
    shared: Shared
    per_second: int

    async def push(self, message: PushMessage) -> None:
        now = self.shared.clock.now()
        if not await self.shared.budgets.take(SENDS, self.per_second, timedelta(seconds=1), now):
            raise RetryAfter(1.0)  # the relay holds the target's messages a second, losing none
        await self.pusher.push(message)


def build_pushers(settings: Settings, targets: tuple[Target, ...], shared: Shared) -> PushClients:
    """A target without credentials is logged and left out; its messages wait in the outbox, not lost."""
    clients = PushClients(session=aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)))
    if settings.telegram_token:
        from bot.channels.telegram.api import telegram_bot

        clients.telegram = telegram_bot(settings.telegram_token, settings.telegram_api_base)
    if settings.wecom_corp_id and settings.wecom_secret:
        clients.wecom = wecom_api(
            clients.session,
            settings.wecom_corp_id,
            settings.wecom_secret,
            settings.wecom_api_base,
            shared.tokens,
            shared.clock,
        )
    for target in targets:
        pusher = _pusher(clients, settings, target, shared)
        if pusher is None:
            log.warning(
                "alert target %s (%s) has no credentials in the settings; its messages wait", target.name, target.kind
            )
        else:
            clients.pushers[target.name] = pusher
    return clients


def _pusher(clients: PushClients, settings: Settings, target: Target, shared: Shared) -> Pusher | None:
    if target.kind == "wecom_robot" and target.key:
        return WeComRobotPusher(clients.session, target.key, settings.wecom_api_base)
    if target.kind == "wecom_app" and target.to_user and clients.wecom and settings.wecom_agent_id is not None:
        return WeComAppPusher(clients.wecom, settings.wecom_agent_id, target.to_user)
    if target.kind == "telegram" and target.chat_id is not None and clients.telegram is not None:
        from bot.pushers.telegram import TelegramPusher

        return WithinRate(TelegramPusher(clients.telegram, target.chat_id), shared, settings.telegram_per_second)
    return None
