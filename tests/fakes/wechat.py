"""WeChat's side of an Official Account, on loopback: it calls our callback the way WeChat does and serves
the server API (token, customer-service messages, media upload, menu) that our app calls back.

Callbacks are built from the XML in `tests/fixtures/wechat/`, signed with SHA-1 over the sorted token,
timestamp and nonce, and in safe mode encrypted with wechatpy's real AES implementation.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import xmltodict
from aiohttp import web
from wechatpy.crypto import WeChatCrypto

from tests.fakes.tencent import Answer, FakeTencentServer, fill, sign

TOKEN = "xiaoerToken2026"
APP_ID = "wx0123456789abcdef"
APP_SECRET = "app-secret"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
ACCOUNT = "gh_0a1b2c3d4e5f"


@dataclass
class Delivered:
    """A customer-service message as our app sent it."""

    openid: str
    kind: str  # "text" or "image"
    content: str  # the text, or the media id of an image


@dataclass
class Replied(Answer):
    reply: dict[str, Any] | None  # the passive reply, decrypted when in safe mode


class FakeWeChat(FakeTencentServer):
    def __init__(self) -> None:
        super().__init__()
        self.crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
        self.delivered: list[Delivered] = []
        self.menus: list[dict[str, Any]] = []
        self.refuse: dict[str, int] = {}  # openid -> errcode for customer-service messages to them
        self._ids = itertools.count(7_000_000_000_000_000_001)

    def credentials_ok(self, request: web.Request) -> bool:
        return request.query.get("appid") == APP_ID and request.query.get("secret") == APP_SECRET

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/cgi-bin/message/custom/send", self._custom_send)
        app.router.add_post("/cgi-bin/menu/create", self._menu)

    # -- callbacks, as WeChat sends them -----------------------------------------------------------

    def message(self, kind: str, openid: str, created: int, **fields: str) -> str:
        values = {"account": ACCOUNT, "openid": openid, "created": str(created), "msg_id": str(next(self._ids))}
        return fill("wechat", kind, **(values | {"content": "", "media_id": "", "event_key": ""} | fields))

    def signed_query(self, timestamp: int, nonce: str) -> dict[str, str]:
        return {"signature": sign(TOKEN, str(timestamp), nonce), "timestamp": str(timestamp), "nonce": nonce}

    async def post(self, xml: str, timestamp: int, nonce: str, safe: bool = False, **override: str) -> Replied:
        params = self.signed_query(timestamp, nonce)
        body = xml
        if safe:
            sealed = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, str(timestamp)))["xml"]
            params |= {"encrypt_type": "aes", "msg_signature": sealed["MsgSignature"]}
            body = fill("wechat", "encrypted", account=ACCOUNT, encrypt=sealed["Encrypt"])
        answer = await self.post_raw(body.encode(), params | override)
        reply = self._reply(answer.body, safe) if answer.status == 200 else None
        return Replied(answer.status, answer.body, reply)

    def _reply(self, text: str, safe: bool) -> dict[str, Any] | None:
        if text in ("", "success"):
            return None
        reply = xmltodict.parse(text)["xml"]
        if safe:
            assert reply["MsgSignature"] == sign(TOKEN, reply["TimeStamp"], reply["Nonce"], reply["Encrypt"])
            plain = self.crypto.decrypt_message(reply, reply["MsgSignature"], reply["TimeStamp"], reply["Nonce"])
            reply = xmltodict.parse(plain)["xml"]
        return dict(reply)

    # -- the server API ----------------------------------------------------------------------------

    async def _custom_send(self, request: web.Request) -> web.Response:
        if (error := self.token_error(request)) is not None:
            return error
        body = await request.json()
        openid = body["touser"]
        if openid in self.refuse:
            return web.json_response({"errcode": self.refuse[openid], "errmsg": "refused"})
        kind = body["msgtype"]
        content = body["text"]["content"] if kind == "text" else body["image"]["media_id"]
        self.delivered.append(Delivered(openid, kind, content))
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _menu(self, request: web.Request) -> web.Response:
        if (error := self.token_error(request)) is not None:
            return error
        self.menus.append(await request.json())
        return web.json_response({"errcode": 0, "errmsg": "ok"})
