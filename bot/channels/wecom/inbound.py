"""The WeCom callback: `GET /wecom` proves the URL is ours, `POST /wecom` brings app messages and the
微信客服 "there are new messages" event.

Every WeCom callback is encrypted. App messages are stored like every delivery (deduplicated on MsgId,
replays refused) and answered at once with an empty body; replies go out through `message/send`. The
微信客服 event carries no message, only a token: the feed pulls the messages with sync_msg from the
cursor saved in the store, stores each one, then moves the cursor, so a crash in between rereads
(and deduplicates) rather than skips.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.channels.intake import Intake
from bot.channels.tencent.api import TencentApi
from bot.channels.tencent.callback import (
    EchoCrypto,
    Refused,
    check_fresh,
    open_echo,
    open_encrypted,
    parse_xml,
    query,
    read_body,
    replay_key,
)
from bot.channels.wechat.translate import delivery_key
from bot.channels.wecom.translate import (
    APP_CHANNEL,
    KF_CHANNEL,
    KF_EVENT,
    answered,
    kf_chat,
)
from notifications.push import PushFailed, RetryAfter
from oms_client.chats.cursors import CursorStore
from oms_client.chats.inbox import Replayed
from oms_client.clock import Clock

log = logging.getLogger(__name__)
PATH = "/wecom"
SYNC_LIMIT = 1000


@dataclass
class KfFeed:
    """Pulls 微信客服 messages into the inbox; one pull per kf account at a time in this process."""

    api: TencentApi
    intake: Intake
    cursors: CursorStore
    clock: Clock
    _locks: defaultdict[str, asyncio.Lock] = field(default_factory=lambda: defaultdict(asyncio.Lock))

    async def pull(self, open_kfid: str, token: str = "") -> int:
        """Store every message since the saved cursor; how many were new."""
        name = f"{KF_CHANNEL}:{open_kfid}"
        new = 0
        async with self._locks[open_kfid]:
            while True:
                cursor = await self.cursors.get(name)
                request = {"cursor": cursor, "token": token, "limit": SYNC_LIMIT, "open_kfid": open_kfid}
                page = await self.api.call("/cgi-bin/kf/sync_msg", request)
                for message in page.get("msg_list", []):
                    new += await self._store(message)
                await self.cursors.put(name, str(page.get("next_cursor") or cursor), self.clock.now())
                if not page.get("has_more"):
                    return new

    async def pull_known(self) -> int:
        """Pull every account read before, without an event's token: what a process died before pulling
        (WeCom said so once, to it) is not left waiting for the customer's next message."""
        new = 0
        for name in await self.cursors.names(f"{KF_CHANNEL}:"):
            try:
                new += await self.pull(name.removeprefix(f"{KF_CHANNEL}:"))
            except (PushFailed, RetryAfter) as error:
                log.warning("pulling 微信客服 messages of %s failed; trying again later: %s", name, error)
        return new

    async def _store(self, message: dict[str, Any]) -> int:
        if not answered(message):
            return 0  # the servicers' own messages and other system events
        accepted = await self.intake.accept(KF_CHANNEL, str(message["msgid"]), kf_chat(message), message)
        return int(accepted is not None)


@dataclass
class WeComCallback:
    token: str
    crypto: EchoCrypto
    intake: Intake
    clock: Clock
    kf: KfFeed | None
    _pulls: set[asyncio.Task[None]] = field(default_factory=set)

    async def verify(self, request: web.Request) -> web.Response:
        try:
            signature, timestamp, nonce, echo = query(request, "msg_signature", "timestamp", "nonce", "echostr")
            check_fresh(timestamp, self.clock.now())
            plain = open_echo(self.crypto, self.token, signature, timestamp, nonce, echo)
        except Refused as refused:
            return refused.response()
        return web.Response(text=plain)

    async def receive(self, request: web.Request) -> web.Response:
        try:
            signature, timestamp, nonce = query(request, "msg_signature", "timestamp", "nonce")
            check_fresh(timestamp, self.clock.now())
            envelope = parse_xml(await read_body(request))
            params = {"msg_signature": signature, "timestamp": timestamp, "nonce": nonce}
            message = open_encrypted(self.crypto, self.token, envelope, params)
            if str(message.get("Event", "")).lower() == KF_EVENT:
                self._pull(str(message.get("OpenKfId", "")), str(message.get("Token", "")))
            elif message.get("FromUserName"):
                chat = str(message["FromUserName"])
                key = delivery_key(message)
                await self.intake.accept(APP_CHANNEL, key, chat, message, replay_key(timestamp, nonce))
        except Refused as refused:
            return refused.response()
        except Replayed:
            return web.Response(status=403, text="replayed request")
        return web.Response(text="")

    def _pull(self, open_kfid: str, token: str) -> None:
        if self.kf is None or not open_kfid:
            return
        task = asyncio.create_task(self._pull_logged(self.kf, open_kfid, token))
        self._pulls.add(task)
        task.add_done_callback(self._pulls.discard)

    async def _pull_logged(self, kf: KfFeed, open_kfid: str, token: str) -> None:
        try:
            await kf.pull(open_kfid, token)
        except (PushFailed, RetryAfter) as error:
            log.warning("pulling 微信客服 messages of %s failed; the next event pulls again: %s", open_kfid, error)

    async def idle(self) -> None:
        """Wait for the pulls started so far (tests, shutdown)."""
        while self._pulls:
            await asyncio.gather(*self._pulls, return_exceptions=True)

    def routes(self, app: web.Application) -> None:
        app.router.add_get(PATH, self.verify)
        app.router.add_post(PATH, self.receive)
