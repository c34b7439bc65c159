"""A fake 快递鸟 on loopback: the subscription (`POST /api/dist`, RequestType 1008) and the real-time query
(`POST /Ebusiness/EbusinessOrderHandle.aspx`, 1002), each checking the request's DataSign as 快递鸟 does and
recording what was asked; plus a way to push to the app as 快递鸟 does (RequestType 101, signed)."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes.loopback import Loopback


@dataclass
class FakeKdniao(Loopback):
    business_id: str
    api_key: str
    attempts: list[dict[str, Any]] = field(default_factory=list)  # every subscription asked for, refused or not
    refuse: bool = False
    tracks: dict[str, dict[str, Any]] = field(default_factory=dict)  # what a query answers, by waybill
    queried: list[dict[str, Any]] = field(default_factory=list)

    def install(self, app: web.Application) -> None:
        app.router.add_post("/api/dist", self._subscribe)
        app.router.add_post("/Ebusiness/EbusinessOrderHandle.aspx", self._query)

    def numbers(self) -> list[str]:
        return [entry["LogisticCode"] for entry in self.attempts]

    async def _signed(self, request: web.Request, request_type: str) -> dict[str, Any] | None:
        form = await request.post()
        data = str(form.get("RequestData", ""))
        good = (form.get("EBusinessID"), form.get("RequestType"), form.get("DataType")) == (
            self.business_id, request_type, "2"
        )  # fmt: skip
        if not good or form.get("DataSign") != data_sign(data, self.api_key):
            return None
        found: dict[str, Any] = json.loads(data)
        return found

    def _refusal(self, reason: str) -> web.Response:
        return web.json_response({"EBusinessID": self.business_id, "Success": False, "Reason": reason})

    async def _subscribe(self, request: web.Request) -> web.Response:
        asked = await self._signed(request, "1008")
        if asked is None:
            return self._refusal("数据签名校验失败")
        self.attempts.append(asked)
        if self.refuse:
            return self._refusal("服务繁忙")
        return web.json_response({"EBusinessID": self.business_id, "UpdateTime": "2026-11-20 10:00:00",
                                  "Success": True, "Reason": ""})  # fmt: skip

    async def _query(self, request: web.Request) -> web.Response:
        asked = await self._signed(request, "1002")
        if asked is None:
            return self._refusal("数据签名校验失败")
        self.queried.append(asked)
        track = self.tracks.get(asked["LogisticCode"])
        if track is None:
            return web.json_response({"EBusinessID": self.business_id, "ShipperCode": asked["ShipperCode"],
                                      "LogisticCode": asked["LogisticCode"], "Success": True, "State": "0",
                                      "Reason": "暂无轨迹信息", "Traces": []})  # fmt: skip
        return web.json_response(track)


def data_sign(request_data: str, api_key: str) -> str:
    hex_digest = hashlib.md5((request_data + api_key).encode()).hexdigest()
    return base64.b64encode(hex_digest.encode()).decode()


async def push(url: str, body: dict[str, Any], api_key: str, signature: str | None = None) -> tuple[int, Any]:
    """POST a push to the app's callback as 快递鸟 does."""
    data = json.dumps(body, ensure_ascii=False)
    form = {"RequestType": "101", "EBusinessID": body["EBusinessID"], "DataType": "2", "RequestData": data,
            "DataSign": signature or data_sign(data, api_key)}  # fmt: skip
    async with aiohttp.ClientSession() as http, http.post(url, data=form) as answer:
        return answer.status, await answer.json(content_type=None)
