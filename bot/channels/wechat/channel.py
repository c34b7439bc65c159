"""The WeChat side of the chat port: customer-service messages, within the window WeChat allows
(errcodes 45015, 45047 when broken; see `reply_window`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from bot.channels.reply_window import ReplyWindow
from bot.channels.tencent.api import TencentApi, media_file, text_or_image
from bot.channels.wechat.render import bodies
from bot.channels.wechat.translate import CHANNEL, to_message
from handlers.messages import IncomingMessage, Reply
from oms_client.chats.inbox import InboxStore
from oms_client.chats.outgoing import OutgoingStore, Pace
from oms_client.clock import Clock

# Out of the window, over the count, not following the account, no such user, blacklisted.
REFUSED = {45015, 45047, 43004, 40003, 43019}
# WeChat holds the callback for 5 s; replies wait that long for the callback's answer to carry them.
REPLY_HOLD = timedelta(seconds=5)
PACE = Pace(interval=timedelta(milliseconds=200))


class WeChatChannel:
    name = CHANNEL
    reply_hold = REPLY_HOLD

    def __init__(self, api: TencentApi, inbox: InboxStore, outgoing: OutgoingStore, clock: Clock) -> None:
        self.api = api
        self.window = ReplyWindow(CHANNEL, inbox, outgoing, clock)

    async def translate(self, payload: dict[str, Any]) -> IncomingMessage | None:
        return to_message(payload)

    def render(self, replies: Sequence[Reply]) -> list[dict[str, Any]]:
        return bodies(replies)

    async def send(self, chat_id: str, body: dict[str, Any]) -> None:
        await self.window.check(chat_id)
        message = {"touser": chat_id} | await text_or_image(self.api, body)
        await self.api.call("/cgi-bin/message/custom/send", message, refused=REFUSED)

    async def fetch_media(self, ref: str) -> bytes:
        return await media_file(self.api, ref)

    def pace(self, chat_id: str) -> Pace:
        return PACE
