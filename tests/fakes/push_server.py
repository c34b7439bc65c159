"""A fake of the push APIs on loopback: WeCom (group robot, gettoken, message/send) and Telegram's Bot API
(`tests/fakes/telegram_api.py`, sharing this server's outage and rate-limit switches).

It speaks HTTP like the real services, records what reached it, and can be told to be down, to rate
limit the next requests, or to treat the current WeCom access token as expired.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field

from aiohttp import web

from tests.fakes.loopback import Loopback
from tests.fakes.telegram_api import FakeBotApi, Sent, too_many_requests


@dataclass
class Received:
    api: str  # "wecom_robot", "wecom_app", "telegram"
    address: str  # robot key, WeCom touser, or Telegram chat id
    text: str
    buttons: list[str] = field(default_factory=list)  # Telegram callback data
    parse_mode: str = ""
    image: bytes | None = None


class FakePushServer(Loopback):
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.down = False
        self.broken: set[str] = set()  # apis down while the others work
        self.rate_limit_next = 0  # answer this many requests with the platform's "too many" reply
        self.retry_after = 5
        self.tokens_issued = 0
        self.expired_tokens: set[str] = set()
        self.requests = 0
        self.telegram = FakeBotApi()
        self.telegram.gate = self._telegram_gate
        self.telegram.on_sent = self._telegram_sent

    def install(self, app: web.Application) -> None:
        app.router.add_post("/cgi-bin/webhook/send", self._robot)
        app.router.add_get("/cgi-bin/gettoken", self._gettoken)
        app.router.add_post("/cgi-bin/message/send", self._app_message)
        self.telegram.install(app)

    def texts(self, api: str | None = None) -> list[str]:
        return [r.text for r in self.received if api is None or r.api == api]

    def _refuse(self) -> bool:
        self.requests += 1
        if self.rate_limit_next > 0:
            self.rate_limit_next -= 1
            return True
        return False

    def _telegram_gate(self) -> web.Response | None:
        if self._is_down("telegram"):
            return web.Response(status=502, text="bad gateway")
        return too_many_requests(self.retry_after) if self._refuse() else None

    def _telegram_sent(self, sent: Sent) -> None:
        self.received.append(
            Received("telegram", sent.chat_id, sent.text, sent.callback_data, sent.parse_mode, sent.photo)
        )

    def _is_down(self, api: str) -> bool:
        return self.down or api in self.broken

    async def _robot(self, request: web.Request) -> web.Response:
        if self._is_down("wecom_robot"):
            return web.Response(status=503, text="service unavailable")
        if self._refuse():
            return web.json_response({"errcode": 45009, "errmsg": "api freq out of limit"})
        body = await request.json()
        if body["msgtype"] == "image":  # base64 of the picture and the MD5 of its bytes, as the robot checks them
            picture = base64.b64decode(body["image"]["base64"])
            if hashlib.md5(picture).hexdigest() != body["image"]["md5"]:
                return web.json_response({"errcode": 301019, "errmsg": "media md5 not match"})
            self.received.append(Received("wecom_robot", request.query["key"], "", image=picture))
        else:
            self.received.append(Received("wecom_robot", request.query["key"], body["markdown"]["content"]))
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _gettoken(self, request: web.Request) -> web.Response:
        self.tokens_issued += 1
        token = f"token-{self.tokens_issued}-{request.query['corpid']}"
        return web.json_response({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200})

    async def _app_message(self, request: web.Request) -> web.Response:
        if self._is_down("wecom_app"):
            return web.Response(status=502)
        if request.query.get("access_token") in self.expired_tokens:
            return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
        body = await request.json()
        self.received.append(Received("wecom_app", body["touser"], body["markdown"]["content"]))
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": str(len(self.received))})
