"""The platform clients one process opens: one HTTP session, one Bot API client, one WeCom app client. Replies
and alert pushes to a platform go through the same client, so they share its token and its rate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiohttp

from bot.channels.tencent.api import TencentApi, wecom_api
from bot.settings import Settings
from oms_client.budgets import Budgets
from oms_client.clock import Clock
from oms_client.tokens import SharedTokens

if TYPE_CHECKING:  # aiogram takes seconds to import; a shop without Telegram never loads it
    from aiogram import Bot


@dataclass(frozen=True)
class Shared:
    """What the processes of one shop share through the store: platform access tokens, the bot's send rate."""

    tokens: SharedTokens
    budgets: Budgets
    clock: Clock


@dataclass
class Clients:
    """Closed with the app."""

    session: aiohttp.ClientSession
    shared: Shared
    telegram: Bot | None = None
    wecom: TencentApi | None = None

    async def close(self) -> None:
        if self.telegram is not None:
            await self.telegram.session.close()
        await self.session.close()


def open_clients(settings: Settings, shared: Shared) -> Clients:
    """A client for each platform the settings hold credentials of."""
    clients = Clients(aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)), shared)
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
    return clients
