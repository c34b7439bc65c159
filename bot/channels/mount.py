"""How a channel joins the app. Each channel package has a `mount` module with two functions: `channels` builds
its channels from the settings (none when they hold no credentials), and `inbound`, once the intake exists,
what the platform's deliveries come in by (web routes, tasks while serving, periodic jobs). `CHANNELS` in
`bot/bootstrap` lists the mounts: adding a channel is its package, its settings fields and one line there.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web

from bot.channels.clients import Clients
from bot.channels.intake import Intake
from bot.channels.port import ChatChannel
from bot.channels.web.doorbell import Doorbell
from bot.settings import Settings
from notifications.scheduler import Periodic
from oms_client.chats.inbox import InboxStore
from oms_client.chats.outgoing import OutgoingStore
from oms_client.clock import Clock
from oms_client.sql.database import Database


@dataclass(frozen=True)
class Parts:
    """What a channel is built from."""

    settings: Settings
    clients: Clients
    database: Database
    inbox: InboxStore
    outgoing: OutgoingStore
    clock: Clock
    doorbell: Doorbell  # wakes a web visitor's waiting request when their reply is queued


class Receiver(Protocol):
    """What takes a platform's deliveries over HTTP."""

    def routes(self, app: web.Application) -> None: ...


@dataclass(frozen=True)
class Inbound:
    receiver: Receiver | None = None
    serving: tuple[Callable[[], Coroutine[Any, Any, None]], ...] = ()  # run for as long as the process serves
    periodic: tuple[Periodic, ...] = ()


class Mount(Protocol):
    NAME: str  # the platform, as the app's inbound parts are known by

    def channels(self, parts: Parts) -> dict[str, ChatChannel]: ...

    def inbound(self, parts: Parts, intake: Intake, channels: Mapping[str, ChatChannel]) -> Inbound: ...
