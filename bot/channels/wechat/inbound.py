"""The Official Account callback: `GET /wechat` proves the URL is ours, `POST /wechat` brings messages.

A message is stored (deduplicated on MsgId, replays refused) before it is answered. WeChat waits five
seconds for the answer and then retries, so the request waits up to four for the turn's replies: if
they are ready the first goes back as the passive reply, and the rest, or all of them when the turn
took longer, go out as customer-service messages once the hold on them lapses.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.channels.intake import Intake
from bot.channels.tencent.callback import (
    Crypto,
    Refused,
    check_fresh,
    check_signature,
    open_encrypted,
    parse_xml,
    query,
    read_body,
    replay_key,
)
from bot.channels.wechat.render import passive_xml
from bot.channels.wechat.translate import CHANNEL, chat_of, delivery_key
from oms_client.chats.inbox import Replayed
from oms_client.chats.outgoing import OutgoingStore
from oms_client.clock import Clock

PATH = "/wechat"
PASSIVE_WAIT_SECONDS = 4.0
NO_REPLY = "success"  # WeChat's word for "received, nothing to say now, do not retry"


@dataclass
class WeChatCallback:
    token: str
    crypto: Crypto | None  # safe mode, when an EncodingAESKey is configured
    intake: Intake
    outgoing: OutgoingStore
    clock: Clock

    async def verify(self, request: web.Request) -> web.Response:
        try:
            signature, timestamp, nonce, echo = query(request, "signature", "timestamp", "nonce", "echostr")
            check_fresh(timestamp, self.clock.now())
            check_signature(signature, self.token, timestamp, nonce)
        except Refused as refused:
            return refused.response()
        return web.Response(text=echo)

    async def receive(self, request: web.Request) -> web.Response:
        deadline = asyncio.get_running_loop().time() + PASSIVE_WAIT_SECONDS
        try:
            signature, timestamp, nonce = query(request, "signature", "timestamp", "nonce")
            check_fresh(timestamp, self.clock.now())
            check_signature(signature, self.token, timestamp, nonce)
            message = await self._message(request, timestamp, nonce)
            chat = chat_of(message)
            if chat is None:
                raise Refused(400, "no sender")
            item_id = await self.intake.accept(
                CHANNEL, delivery_key(message), chat, message, replay_key(timestamp, nonce), watch=True
            )
        except Refused as refused:
            return refused.response()
        except Replayed:
            return web.Response(status=403, text="replayed request")
        if item_id is None:
            return web.Response(text=NO_REPLY)  # a retry: the first delivery is being answered
        return await self._answer(request, item_id, message, deadline, timestamp, nonce)

    async def _message(self, request: web.Request, timestamp: str, nonce: str) -> dict[str, Any]:
        envelope = parse_xml(await read_body(request))
        if request.query.get("encrypt_type", "raw") != "aes":
            return envelope
        if self.crypto is None:
            raise Refused(400, "safe mode is not configured here")
        (msg_signature,) = query(request, "msg_signature")
        params = {"msg_signature": msg_signature, "timestamp": timestamp, "nonce": nonce}
        return open_encrypted(self.crypto, self.token, envelope, params)

    async def _answer(
        self, request: web.Request, item_id: int, message: dict[str, Any], deadline: float, timestamp: str, nonce: str
    ) -> web.Response:
        wait = deadline - asyncio.get_running_loop().time()
        if not await self.intake.answered(item_id, max(wait, 0.0)):
            return web.Response(text=NO_REPLY)
        now = self.clock.now()
        body = await self.outgoing.take_passive(item_id, now)
        if body is None:
            return web.Response(text=NO_REPLY)
        xml = passive_xml(body, str(message["FromUserName"]), str(message.get("ToUserName", "")), now)
        if request.query.get("encrypt_type") == "aes" and self.crypto is not None:
            xml = self.crypto.encrypt_message(xml, nonce, timestamp)
        return web.Response(text=xml, content_type="application/xml")

    def routes(self, app: web.Application) -> None:
        app.router.add_get(PATH, self.verify)
        app.router.add_post(PATH, self.receive)
