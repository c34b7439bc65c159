"""The WeChat side of the chat port: customer-service messages, within the window WeChat allows.

WeChat lets an account write to a user only after the user wrote to it: within 48 hours of their last
message and at most five messages per message of theirs (errcodes 45015, 45047 when broken). Replies
outside that are kept as failed with the reason rather than sent into an error.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from bot.channels.wechat.render import bodies
from bot.channels.wechat.translate import CHANNEL, to_message
from bot.pushers.tencent_api import TencentApi, Upload
from handlers.messages import IncomingMessage, Reply
from notifications.push import Undeliverable
from oms_client.clock import Clock
from oms_client.inbox import InboxStore
from oms_client.outgoing import OutgoingStore, Pace

SERVICE_WINDOW = timedelta(hours=48)
MESSAGES_PER_USER_MESSAGE = 5
# Out of the window, over the count, not following the account, no such user, blacklisted.
REFUSED = {45015, 45047, 43004, 40003, 43019}
# WeChat holds the callback for 5 s; replies wait that long for the callback's answer to carry them.
REPLY_HOLD = timedelta(seconds=5)
PACE = Pace(interval=timedelta(milliseconds=200))


class WeChatChannel:
    name = CHANNEL
    reply_hold = REPLY_HOLD

    def __init__(self, api: TencentApi, inbox: InboxStore, outgoing: OutgoingStore, clock: Clock) -> None:
        self.api, self.inbox, self.outgoing, self.clock = api, inbox, outgoing, clock

    async def translate(self, payload: dict[str, Any]) -> IncomingMessage | None:
        return to_message(payload)

    def render(self, replies: Sequence[Reply]) -> list[dict[str, Any]]:
        return bodies(replies)

    async def send(self, chat_id: str, body: dict[str, Any]) -> None:
        await self._check_window(chat_id)
        if "image" in body:
            media_id = await self._upload_image(base64.b64decode(body["image"]), body.get("mime", "image/png"))
            message = {"touser": chat_id, "msgtype": "image", "image": {"media_id": media_id}}
        else:
            message = {"touser": chat_id, "msgtype": "text", "text": {"content": body["text"]}}
        await self.api.call("/cgi-bin/message/custom/send", message, refused=REFUSED)

    def pace(self, chat_id: str) -> Pace:
        return PACE

    async def _check_window(self, chat_id: str) -> None:
        last = await self.inbox.last_received(f"{CHANNEL}:{chat_id}")
        if last is None or self.clock.now() - last > SERVICE_WINDOW:
            raise Undeliverable("outside WeChat's 48-hour window since the user's last message")
        if await self.outgoing.sent_by_api_since(CHANNEL, chat_id, last) >= MESSAGES_PER_USER_MESSAGE:
            raise Undeliverable("WeChat allows 5 messages per message of the user")

    async def _upload_image(self, data: bytes, mime: str) -> str:
        upload = Upload("media", data, "image." + mime.rsplit("/", 1)[-1], mime)
        answer = await self.api.call("/cgi-bin/media/upload", upload=upload, type="image")
        return str(answer["media_id"])
