"""Pushers for the configured alert targets. A target that is a chat on one of the bot's channels (a Telegram
chat, WeCom app users) is pushed to through that channel's own send path, the one replies take; the WeCom group
robot, which is no chat, has its webhook."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.channels.clients import Clients, Shared
from bot.channels.port import ChatChannel, PushChannel
from bot.pushers.telegram import telegram_bodies
from bot.pushers.wecom import WeComRobotPusher, wecom_app_bodies
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
        if not await self.shared.budgets.take_sliding(SENDS, 1, self.per_second, timedelta(seconds=1), now):
            raise RetryAfter(1.0)  # the relay holds the target's messages a second, losing none
        await self.pusher.push(message)


@dataclass(frozen=True)
class ThroughChannel:
    """A push is one more message on the channel's send path."""

    channel: PushChannel
    chat_id: str
    bodies: Callable[[PushMessage], list[dict[str, Any]]]

    async def push(self, message: PushMessage) -> None:
        for body in self.bodies(message):
            await self.channel.send(self.chat_id, body)


def build_pushers(
    clients: Clients, channels: Mapping[str, ChatChannel], settings: Settings, targets: tuple[Target, ...]
) -> dict[str, Pusher]:
    """A target without credentials is logged and left out; its messages wait in the outbox, not lost."""
    pushers = {}
    for target in targets:
        pusher = _pusher(clients, channels, settings, target)
        if pusher is None:
            log.warning(
                "alert target %s (%s) has no credentials in the settings; its messages wait", target.name, target.kind
            )
        else:
            pushers[target.name] = pusher
    return pushers


def _pusher(clients: Clients, channels: Mapping[str, ChatChannel], settings: Settings, target: Target) -> Pusher | None:
    if target.kind == "wecom_robot" and target.key:
        return WeComRobotPusher(clients.session, target.key, settings.wecom_api_base)
    wecom, telegram = channels.get("wecom"), channels.get("telegram")
    if target.kind == "wecom_app" and target.to_user and isinstance(wecom, PushChannel):
        return ThroughChannel(wecom, target.to_user, wecom_app_bodies)
    if target.kind == "telegram" and target.chat_id is not None and isinstance(telegram, PushChannel):
        pusher = ThroughChannel(telegram, str(target.chat_id), telegram_bodies)
        return WithinRate(pusher, clients.shared, settings.telegram_per_second)
    return None
