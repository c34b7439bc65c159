"""Small drivers for tests: conversations, row counts, waiting for something to happen."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from aiohttp import web
from sqlalchemy import func, select

from bot.bootstrap import App, bootstrap
from bot.channels.picture_bytes import redrawn
from bot.settings import Settings
from bot.web import build_web_app
from handlers.dialogue import Dialogue
from handlers.messages import IncomingMessage, Reply
from oms_client.clock import Clock
from oms_client.sql import models as m
from oms_client.sql.database import Database


async def send(dialogue: Dialogue, text: str, user: str = "u1", channel: str = "console") -> list[Reply]:
    return await dialogue.handle(IncomingMessage(channel=channel, chat_id=user, user_id=user, text=text))


async def ask(dialogue: Dialogue, text: str, user: str = "u1") -> str:
    """The replies' text, joined: what the user reads."""
    return "\n".join(reply.text for reply in await send(dialogue, text, user))


def kept(picture: bytes) -> bytes:
    """A picture as the store keeps it: decoded and drawn again (`bot.channels.picture_bytes`)."""
    redrawn_picture = redrawn(picture)
    assert redrawn_picture is not None
    return redrawn_picture[0]


def wrong_tail(tail: str) -> str:
    return "0000" if tail != "0000" else "1111"


async def count_rows(database: Database, table: type[m.Base]) -> int:
    async with database.read.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)) or 0)


async def until(condition: Callable[[], object], seconds: float = 10.0) -> None:
    """Wait for `condition` (plain or async) to hold, polling; fail the test when it never does."""
    for _ in range(int(seconds / 0.05)):
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"condition not met within {seconds} s")


async def serve_on_loopback(app: web.Application) -> tuple[web.AppRunner, str]:
    """Run an aiohttp app on a free loopback port: the runner (to clean up) and its base URL."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


@asynccontextmanager
async def app_on_loopback(settings: Settings, database: Database, clock: Clock) -> AsyncIterator[tuple[App, str]]:
    """The whole app on `database`, serving HTTP on loopback (its base URL); stopped as `serve` stops it: what
    was taken in is answered first."""
    app = await bootstrap(settings, clock=clock, database=database)
    runner, base = await serve_on_loopback(build_web_app(app))
    try:
        yield app, base
    finally:
        await app.intake.idle()
        await runner.cleanup()
        await app.clients.close()
