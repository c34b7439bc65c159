"""The real app with the web chat, served on loopback, for the HTTP and the browser tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.bootstrap import App
from bot.channels.web.inbound import REQUEST_HEADER
from bot.settings import Settings
from oms_client.clock import FixedClock
from oms_client.sql.database import Database
from tests.conftest import NOW
from tests.helpers import app_on_loopback


@dataclass
class WebRig:
    app: App
    base: str
    clock: FixedClock

    @property
    def page(self) -> str:
        return f"{self.base}/chat"

    async def visitor(self, headers: dict[str, str] | None = None) -> aiohttp.ClientSession:
        """A browser-like client that has opened the page, so it holds a visitor cookie; `headers` go with every
        request (what a proxy in front adds, say)."""
        jar = aiohttp.CookieJar(unsafe=True)  # the base is an IP address
        http = aiohttp.ClientSession(cookie_jar=jar, headers=headers)
        async with http.get(self.page) as answer:
            assert answer.status == 200
        return http

    async def replies(self, http: aiohttp.ClientSession, after: int = 0, wait: int = 0) -> dict[str, Any]:
        """What the page's long poll returns once every message taken in so far is answered (by then every
        reply is queued, so there is nothing to wait for)."""
        await self.app.intake.idle()
        async with http.get(f"{self.page}/api/replies", params={"after": str(after), "wait": str(wait)}) as answer:
            assert answer.status == 200
            return dict(await answer.json())

    async def upload(self, http: aiohttp.ClientSession, data: bytes) -> tuple[int, dict[str, Any]]:
        """A picture as the page uploads it before posting the message that carries it."""
        headers = {REQUEST_HEADER: "1", "Content-Type": "image/png"}
        async with http.post(f"{self.page}/api/images", data=data, headers=headers) as answer:
            return answer.status, dict(await answer.json())

    async def post(self, http: aiohttp.ClientSession, message: dict[str, object]) -> tuple[int, dict[str, object]]:
        headers = {REQUEST_HEADER: "1"}
        async with http.post(f"{self.page}/api/messages", json=message, headers=headers) as answer:
            return answer.status, await answer.json()


class WebCustomer:
    """A visitor typing on the web chat page; `say` returns the bot's answers to one message."""

    def __init__(self, rig: WebRig, http: aiohttp.ClientSession) -> None:
        self.rig, self.http, self.after, self.sent = rig, http, 0, 0

    async def say(self, text: str) -> str:
        self.sent += 1
        await self.rig.post(self.http, {"id": f"m-{self.sent:06d}", "text": text})
        return await self.read()

    async def send_photo(self, data: bytes, text: str = "") -> str:
        status, uploaded = await self.rig.upload(self.http, data)
        assert status == 201
        self.sent += 1
        await self.rig.post(self.http, {"id": f"m-{self.sent:06d}", "text": text, "image": uploaded["id"]})
        return await self.read()

    async def read(self) -> str:
        return "\n".join(message["text"] for message in await self.messages())

    async def messages(self) -> list[dict[str, Any]]:
        """The bot's messages since the last read, as the page gets them (text, buttons, image)."""
        got = await self.rig.replies(self.http, self.after)
        self.after = got["after"]
        return list(got["messages"])


@asynccontextmanager
async def start_web_rig(database: Database, settings: Settings | None = None) -> AsyncIterator[WebRig]:
    clock = FixedClock(NOW)
    async with app_on_loopback(settings or Settings(), database, clock) as (app, base):
        yield WebRig(app, base, clock)
