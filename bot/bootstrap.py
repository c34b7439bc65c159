"""The composition root: production, the CLI and the tests build the app through `bootstrap`."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

import nlu
from bot.settings import Settings
from handlers.dialogue import Dialogue
from oms_client.clock import Clock, SystemClock
from oms_client.database import Database, open_database
from oms_client.migrate import upgrade
from oms_client.sql_store import SqlOrderStore


@dataclass
class App:
    settings: Settings
    clock: Clock
    database: Database
    store: SqlOrderStore
    dialogue: Dialogue

    async def close(self) -> None:
        await self.store.close()


async def bootstrap(settings: Settings, clock: Clock | None = None) -> App:
    """Open the store, bring its schema up to date and wire the dialogue to it."""
    clock = clock or SystemClock()
    database = open_database(settings.database_url)
    await upgrade(database)
    store = SqlOrderStore(database)
    dialogue = Dialogue(store, nlu.parse, clock, ZoneInfo(settings.timezone))
    return App(settings=settings, clock=clock, database=database, store=store, dialogue=dialogue)
