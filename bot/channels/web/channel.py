"""The web chat side of the chat port. Pages fetch their replies, so there is nothing to send."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from bot.channels.web.render import bodies
from bot.channels.wechat.translate import typed_command
from handlers.messages import Attachment, IncomingMessage, Reply
from oms_client.chats.media import STORED_REF
from oms_client.chats.outgoing import Pace

CHANNEL = "web"
PACE = Pace(interval=timedelta(0))


class WebChatChannel:
    name = CHANNEL
    reply_hold = timedelta(0)

    async def translate(self, payload: dict[str, Any]) -> IncomingMessage | None:
        visitor, text = str(payload["visitor"]), str(payload.get("text") or "")
        image = payload.get("image")
        return IncomingMessage(
            channel=CHANNEL,
            chat_id=visitor,
            user_id=visitor,
            text=text,
            attachments=(Attachment("image", f"{STORED_REF}{image}"),) if image else (),
            message_id=str(payload["id"]),
            raw=payload,
            command=typed_command(text),
            client=payload.get("client"),
        )

    def render(self, replies: Sequence[Reply]) -> list[dict[str, Any]]:
        return bodies(replies)

    def pace(self, chat_id: str) -> Pace:
        return PACE
