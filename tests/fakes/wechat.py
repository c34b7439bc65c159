"""WeChat's side of an Official Account, on loopback: it calls our callback the way WeChat does and serves
the server API (token, customer-service messages, media upload, menu) that our app calls back.

Callbacks are built from the XML in `tests/fixtures/wechat/`, signed with SHA-1 over the sorted token,
timestamp and nonce, and in safe mode encrypted with wechatpy's real AES implementation.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from string import Template
from typing import Any

import aiohttp
import xmltodict
from aiohttp import web
from wechatpy.crypto import WeChatCrypto

from tests.conftest import FIXTURES

TOKEN = "xiaoerToken2026"
APP_ID = "wx0123456789abcdef"
APP_SECRET = "app-secret"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
ACCOUNT = "gh_0a1b2c3d4e5f"
XML = FIXTURES / "wechat"


@dataclass
class Delivered:
    """A customer-service message as our app sent it."""

    openid: str
    kind: str  # "text" or "image"
    content: str  # the text, or the media id of an image


@dataclass
class Answer:
    status: int
    body: str
    reply: dict[str, Any] | None  # the passive reply, decrypted when in safe mode


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


class FakeWeChat:
    def __init__(self, token: str = TOKEN, app_id: str = APP_ID, aes_key: str = AES_KEY) -> None:
        self.token, self.app_id = token, app_id
        self.crypto = WeChatCrypto(token, aes_key, app_id)
        self.delivered: list[Delivered] = []
        self.uploads: dict[str, bytes] = {}
        self.menus: list[dict[str, Any]] = []
        self.tokens_issued = 0
        self.refuse: dict[str, int] = {}  # openid -> errcode for customer-service messages to them
        self.expire_token = False  # answer the next call with 42001, as when another process rotated it
        self.callback_url = ""
        self.base = ""
        self._ids = itertools.count(7_000_000_000_000_000_001)
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_post("/cgi-bin/message/custom/send", self._custom_send)
        app.router.add_post("/cgi-bin/media/upload", self._upload)
        app.router.add_post("/cgi-bin/menu/create", self._menu)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        return self.base

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # -- callbacks, as WeChat sends them -----------------------------------------------------------

    def message(self, kind: str, openid: str, created: int, **fields: str) -> str:
        values = {"account": ACCOUNT, "openid": openid, "created": str(created), "msg_id": str(next(self._ids))}
        values |= {"content": "", "media_id": "", "event_key": ""} | fields
        return self._fill(kind, **values)

    def _fill(self, fixture: str, **values: str) -> str:
        return Template((XML / f"{fixture}.xml").read_text(encoding="utf-8")).substitute(values)

    def signed_query(self, timestamp: int, nonce: str) -> dict[str, str]:
        return {"signature": sign(self.token, str(timestamp), nonce), "timestamp": str(timestamp), "nonce": nonce}

    async def post(self, xml: str, timestamp: int, nonce: str, safe: bool = False, **override: str) -> Answer:
        params = self.signed_query(timestamp, nonce)
        body = xml
        if safe:
            sealed = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, str(timestamp)))["xml"]
            params |= {"encrypt_type": "aes", "msg_signature": sealed["MsgSignature"]}
            body = self._fill("encrypted", account=ACCOUNT, encrypt=sealed["Encrypt"])
        params |= override
        return await self.post_raw(body.encode(), params, safe)

    async def post_raw(self, body: bytes, params: dict[str, str], safe: bool = False) -> Answer:
        async with aiohttp.ClientSession() as http, http.post(self.callback_url, data=body, params=params) as response:
            text = await response.text()
        return Answer(response.status, text, self._reply(text, params, safe) if response.status == 200 else None)

    def _reply(self, text: str, params: dict[str, str], safe: bool) -> dict[str, Any] | None:
        if text in ("", "success"):
            return None
        reply = xmltodict.parse(text)["xml"]
        if safe:
            assert reply["MsgSignature"] == sign(self.token, reply["TimeStamp"], reply["Nonce"], reply["Encrypt"])
            plain = self.crypto.decrypt_message(reply, reply["MsgSignature"], reply["TimeStamp"], reply["Nonce"])
            reply = xmltodict.parse(plain)["xml"]
        return dict(reply)

    # -- the server API ----------------------------------------------------------------------------

    async def _token(self, request: web.Request) -> web.Response:
        if request.query.get("appid") != self.app_id or request.query.get("secret") != APP_SECRET:
            return web.json_response({"errcode": 40125, "errmsg": "invalid appsecret"})
        self.tokens_issued += 1
        return web.json_response({"access_token": f"token-{self.tokens_issued}", "expires_in": 7200})

    def _token_error(self, request: web.Request) -> web.Response | None:
        if self.expire_token:
            self.expire_token = False
            return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
        if request.query.get("access_token") != f"token-{self.tokens_issued}":
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        return None

    async def _custom_send(self, request: web.Request) -> web.Response:
        if (error := self._token_error(request)) is not None:
            return error
        body = await request.json()
        openid = body["touser"]
        if openid in self.refuse:
            return web.json_response({"errcode": self.refuse[openid], "errmsg": "refused"})
        kind = body["msgtype"]
        content = body["text"]["content"] if kind == "text" else body["image"]["media_id"]
        self.delivered.append(Delivered(openid, kind, content))
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _upload(self, request: web.Request) -> web.Response:
        if (error := self._token_error(request)) is not None:
            return error
        form = await request.post()
        media = form["media"]
        assert isinstance(media, web.FileField) and request.query.get("type") == "image"
        media_id = f"media-{len(self.uploads) + 1}"
        self.uploads[media_id] = media.file.read()
        return web.json_response({"type": "image", "media_id": media_id, "created_at": 1})

    async def _menu(self, request: web.Request) -> web.Response:
        if (error := self._token_error(request)) is not None:
            return error
        self.menus.append(await request.json())
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    def texts(self, openid: str) -> list[str]:
        return [d.content for d in self.delivered if d.openid == openid and d.kind == "text"]
