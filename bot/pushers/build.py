"""Pushers for the configured alert targets, on the channels' own clients."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.channels.clients import Clients, Shared
from bot.pushers.wecom import WeComAppPusher, WeComRobotPusher
from bot.settings import Settings
from notifications.compose import PushMessage
from notifications.config import Target
from notifications.push import Pusher, RetryAfter
from oms_client.budgets import SENDS

log = logging.getLogger(__name__)


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


def build_pushers(clients: Clients, settings: Settings, targets: tuple[Target, ...]) -> dict[str, Pusher]:
    """A target without credentials is logged and left out; its messages wait in the outbox, not lost."""
    pushers = {}
    for target in targets:
        pusher = _pusher(clients, settings, target)
        if pusher is None:
            log.warning(
                "alert target %s (%s) has no credentials in the settings; its messages wait", target.name, target.kind
            )
        else:
            pushers[target.name] = pusher
    return pushers


def _pusher(clients: Clients, settings: Settings, target: Target) -> Pusher | None:
    if target.kind == "wecom_robot" and target.key:
        return WeComRobotPusher(clients.session, target.key, settings.wecom_api_base)
    if target.kind == "wecom_app" and target.to_user and clients.wecom and settings.wecom_agent_id is not None:
        return WeComAppPusher(clients.wecom, settings.wecom_agent_id, target.to_user)
    if target.kind == "telegram" and target.chat_id is not None and clients.telegram is not None:
        from bot.pushers.telegram import TelegramPusher

        pusher = TelegramPusher(clients.telegram, target.chat_id)
        return WithinRate(pusher, clients.shared, settings.telegram_per_second)
    return None
