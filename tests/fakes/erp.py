"""A fake of the seller's ERP on loopback, taking xiaoer's outbound events as a receiver should: it checks the
signature over the raw body (HMAC-SHA256 with the shared secret, compared in constant time), keeps each event
id once however often it arrives, and can be told to be down or to refuse the next few requests."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.loopback import Loopback


@dataclass
class FakeErp(Loopback):
    secret: str
    down: bool = False
    refuse_next: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)  # accepted, each id once, in arrival order
    attempts: list[str] = field(default_factory=list)  # every event id that reached it, accepted or not
    bad_signatures: int = 0

    def install(self, app: web.Application) -> None:
        app.router.add_post("/hooks/xiaoer", self._take)

    async def start(self) -> str:
        """The hook's address, as the seller would configure it."""
        return f"{await super().start()}/hooks/xiaoer"

    def names(self, order_id: str | None = None) -> list[str]:
        return [e["event"] for e in self.events if order_id is None or e["data"]["order_id"] == order_id]

    async def _take(self, request: web.Request) -> web.Response:
        body = await request.read()
        expected = "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, request.headers.get("X-Xiaoer-Signature", "")):
            self.bad_signatures += 1
            return web.Response(status=401)
        event = json.loads(body)
        self.attempts.append(event["id"])
        if self.down or self.refuse_next > 0:
            self.refuse_next = max(0, self.refuse_next - 1)
            return web.Response(status=503)
        if all(seen["id"] != event["id"] for seen in self.events):
            self.events.append(event)
        return web.Response(status=204)
