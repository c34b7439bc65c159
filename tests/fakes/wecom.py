"""WeCom on loopback: calls our /wecom callback with encrypted XML as WeCom does, and serves the API our app
calls back (gettoken, message/send, media upload, and 微信客服's sync_msg / send_msg).

微信客服 messages wait in `kf_feed` until our app pulls them; sync_msg pages them two at a time with a
cursor, like the real one (which pages up to 1,000), so paging is exercised.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import xmltodict
from aiohttp import web
from wechatpy.work.crypto import WeChatCrypto

from tests.fakes.tencent import Answer, FakeTencentServer, fill, sign

TOKEN = "wecomToken2026"
CORP_ID = "ww0123456789abcdef"
CORP_SECRET = "corp-secret"
AGENT_ID = 1000002
AES_KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlk0"
OPEN_KFID = "wkAbCdEf0123456789"
SYNC_PAGE = 2


@dataclass
class Sent:
    """A message our app sent through message/send (app) or kf/send_msg (微信客服)."""

    to: str
    kind: str  # "text", "image", "template_card", "msgmenu"
    body: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.body.get("text", {}).get("content", ""))


class FakeWeCom(FakeTencentServer):
    token_path = "/cgi-bin/gettoken"

    def __init__(self, token: str = TOKEN, aes_key: str = AES_KEY, corp_id: str = CORP_ID) -> None:
        super().__init__()
        self.token, self.corp_id, self.aes_key = token, corp_id, aes_key
        self.crypto = WeChatCrypto(token, aes_key, corp_id)
        self.app_sent: list[Sent] = []
        self.kf_sent: list[Sent] = []
        self.welcomes: list[Sent] = []  # sent with an event's code: `to` is the code
        self.welcome_codes: set[str] = set()  # issued and not yet used (each works once)
        self.kf_feed: list[dict[str, Any]] = []
        self.sync_calls: list[dict[str, Any]] = []
        self._ids = itertools.count(1)

    def credentials_ok(self, request: web.Request) -> bool:
        return request.query.get("corpid") == self.corp_id and request.query.get("corpsecret") == CORP_SECRET

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/cgi-bin/message/send", self._message_send)
        app.router.add_post("/cgi-bin/kf/sync_msg", self._sync_msg)
        app.router.add_post("/cgi-bin/kf/send_msg", self._kf_send)
        app.router.add_post("/cgi-bin/kf/send_msg_on_event", self._kf_welcome)

    # -- callbacks, as WeCom sends them ------------------------------------------------------------

    def message(self, kind: str, user: str, created: int, **fields: str) -> str:
        values = {"corp_id": self.corp_id, "agent_id": str(AGENT_ID), "user": user, "created": str(created)}
        values |= {"msg_id": str(next(self._ids) + 8_000_000_000)}
        return fill("wecom", kind, **(values | fields))

    def kf_event(self, created: int) -> str:
        return fill(
            "wecom",
            "kf_msg_or_event",
            corp_id=self.corp_id,
            created=str(created),
            token="sync-token-1",
            open_kfid=OPEN_KFID,
        )

    def customer_writes(
        self, customer: str, text: str, sent: int, origin: int = 3, image: bytes | None = None
    ) -> dict[str, Any]:
        """A 微信客服 message waiting to be pulled: `text`, or with `image` a picture kept for media/get."""
        message = {
            "msgid": f"kfmsg-{next(self._ids)}",
            "open_kfid": OPEN_KFID,
            "external_userid": customer,
            "send_time": sent,
            "origin": origin,
            "msgtype": "text",
            "text": {"content": text},
        }
        if image is not None:
            media_id = f"kf-media-{len(self.media) + 1}"
            self.media[media_id] = image
            message |= {"msgtype": "image", "image": {"media_id": media_id}}
            del message["text"]
        self.kf_feed.append(message)
        return message

    def customer_enters(self, customer: str, sent: int, scene_param: str = "") -> str:
        """The customer opens the chat (a link or QR code with `scene_param`); the welcome code it carries."""
        code = f"welcome-{next(self._ids)}"
        self.welcome_codes.add(code)
        event = {"event_type": "enter_session", "open_kfid": OPEN_KFID, "external_userid": customer,
                 "scene": "shop", "scene_param": scene_param, "welcome_code": code}  # fmt: skip
        self.kf_feed.append({"msgid": f"kfevt-{next(self._ids)}", "send_time": sent, "origin": 4,
                             "msgtype": "event", "event": event})  # fmt: skip
        return code

    async def post(self, xml: str, timestamp: int, nonce: str, **override: str) -> Answer:
        sealed = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, str(timestamp)))["xml"]
        params = {"msg_signature": sealed["MsgSignature"], "timestamp": str(timestamp), "nonce": nonce}
        body = fill("wecom", "encrypted", corp_id=self.corp_id, agent_id=str(AGENT_ID), encrypt=sealed["Encrypt"])
        return await self.post_raw(body.encode(), params | override)

    def verify_query(self, timestamp: int, nonce: str, echo: str) -> dict[str, str]:
        sealed = xmltodict.parse(self.crypto.encrypt_message(echo, nonce, str(timestamp)))["xml"]
        encrypted = sealed["Encrypt"]
        signature = sign(self.token, str(timestamp), nonce, encrypted)
        return {"msg_signature": signature, "timestamp": str(timestamp), "nonce": nonce, "echostr": encrypted}

    # -- the server API ----------------------------------------------------------------------------

    async def _message_send(self, request: web.Request) -> web.Response:
        if (error := self.token_error(request)) is not None:
            return error
        body = await request.json()
        assert body["agentid"] == AGENT_ID
        self.app_sent.append(Sent(body["touser"], body["msgtype"], body))
        return web.json_response({"errcode": 0, "errmsg": "ok", "invaliduser": ""})

    async def _sync_msg(self, request: web.Request) -> web.Response:
        if (error := self.token_error(request)) is not None:
            return error
        body = await request.json()
        self.sync_calls.append(body)
        start = int(body.get("cursor") or 0)
        mine = [m for m in self.kf_feed if m.get("open_kfid", m.get("event", {}).get("open_kfid")) == body["open_kfid"]]
        page = mine[start : start + SYNC_PAGE]
        end = start + len(page)
        has_more = int(end < len(self.kf_feed))
        return web.json_response({"errcode": 0, "next_cursor": str(end), "has_more": has_more, "msg_list": page})

    async def _kf_send(self, request: web.Request) -> web.Response:
        if (error := self.token_error(request)) is not None:
            return error
        body = await request.json()
        assert body["open_kfid"] == OPEN_KFID
        self.kf_sent.append(Sent(body["touser"], body["msgtype"], body))
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": f"sent-{len(self.kf_sent)}"})

    async def _kf_welcome(self, request: web.Request) -> web.Response:
        if (error := self.token_error(request)) is not None:
            return error
        body = await request.json()
        if body.get("code") not in self.welcome_codes:
            return web.json_response({"errcode": 95018, "errmsg": "invalid or used code"})
        self.welcome_codes.discard(body["code"])
        self.welcomes.append(Sent(body["code"], body["msgtype"], body))
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": f"welcome-sent-{len(self.welcomes)}"})
