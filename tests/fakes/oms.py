"""A fake external OMS on loopback answering xiaoer's documented order lookup
(`GET /orders?order_id=…` with a bearer token): it holds orders in the ingestion API's shape, counts what it
was asked, checks the token, and can be told to be down."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.loopback import Loopback


@dataclass
class FakeOms(Loopback):
    token: str
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)  # by order number
    asked: list[str] = field(default_factory=list)
    down: bool = False

    def install(self, app: web.Application) -> None:
        app.router.add_get("/orders", self._lookup)

    async def _lookup(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.json_response({"error": "unauthorized"}, status=401)
        number = request.query.get("order_id", "")
        self.asked.append(number)
        if self.down:
            return web.json_response({"error": "maintenance"}, status=503)
        if number not in self.orders:
            return web.json_response({"error": "not found"}, status=404)
        return web.json_response({"orders": [self.orders[number]]})
