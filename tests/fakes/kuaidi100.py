"""A fake 快递100 subscription endpoint on loopback (`POST /poll`, form schema + param), recording what was
asked for and able to refuse, plus a way to push to the app as 快递100 does (form param + signed sign)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from tests.helpers import serve_on_loopback


@dataclass
class FakeKuaidi100:
    key: str
    attempts: list[dict[str, Any]] = field(default_factory=list)  # every subscription asked for, refused or not
    refuse: bool = False
    base: str = ""
    _runner: web.AppRunner | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/poll", self._subscribe)
        self._runner, self.base = await serve_on_loopback(app)
        return self.base

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def numbers(self) -> list[str]:
        return [entry["number"] for entry in self.attempts]

    async def _subscribe(self, request: web.Request) -> web.Response:
        form = await request.post()
        param = json.loads(str(form["param"]))
        if form.get("schema") != "json" or param.get("key") != self.key:
            return web.json_response({"result": False, "returnCode": "600", "message": "您不是合法的订阅者"})
        known = param["number"] in [entry["number"] for entry in self.attempts if entry.get("followed")]
        self.attempts.append(param | {"followed": not self.refuse})
        if self.refuse:
            return web.json_response({"result": False, "returnCode": "500", "message": "服务器错误"})
        if known:
            return web.json_response({"result": False, "returnCode": "501", "message": "重复订阅"})
        return web.json_response({"result": True, "returnCode": "200", "message": "提交成功"})


async def push(url: str, body: dict[str, Any], salt: str, signature: str | None = None) -> tuple[int, Any]:
    """POST a push to the app's callback as 快递100 does."""
    param = json.dumps(body, ensure_ascii=False)
    sign = signature or hashlib.md5((param + salt).encode()).hexdigest().upper()
    async with aiohttp.ClientSession() as http, http.post(url, data={"param": param, "sign": sign}) as answer:
        return answer.status, await answer.json(content_type=None)
