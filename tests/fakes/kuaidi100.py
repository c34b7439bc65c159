"""A fake 快递100 subscription endpoint on loopback (`POST /poll`, form schema + param), recording what was
asked for and able to refuse, plus a way to push to the app as 快递100 does (form param + signed sign)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes.loopback import Loopback


@dataclass
class FakeKuaidi100(Loopback):
    key: str
    attempts: list[dict[str, Any]] = field(default_factory=list)  # every subscription asked for, refused or not
    refuse: bool = False
    customer: str = ""
    tracks: dict[str, dict[str, Any]] = field(default_factory=dict)  # what a query answers, by waybill
    queried: list[str] = field(default_factory=list)

    def install(self, app: web.Application) -> None:
        app.router.add_post("/poll", self._subscribe)
        app.router.add_post("/poll/query.do", self._query)

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

    async def _query(self, request: web.Request) -> web.Response:
        form = await request.post()
        param, expected = str(form["param"]), str(form.get("sign", ""))
        if form.get("customer") != self.customer or expected != _md5(param + self.key + self.customer):
            return web.json_response({"result": False, "returnCode": "601", "message": "key已过期或不存在"})
        number = json.loads(param)["num"]
        self.queried.append(number)
        if number not in self.tracks:
            return web.json_response({"result": False, "returnCode": "500", "message": "查询无结果，请隔段时间再查"})
        return web.json_response(self.tracks[number])


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest().upper()


async def push(url: str, body: dict[str, Any], salt: str, signature: str | None = None) -> tuple[int, Any]:
    """POST a push to the app's callback as 快递100 does."""
    param = json.dumps(body, ensure_ascii=False)
    sign = signature or _md5(param + salt)
    async with aiohttp.ClientSession() as http, http.post(url, data={"param": param, "sign": sign}) as answer:
        return answer.status, await answer.json(content_type=None)
