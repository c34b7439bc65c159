"""Pictures between platforms: kept in the store as they come in, shown as images wherever they go.

A platform's media id works only on that platform, and only for a while; so each picture a chat sends is
fetched once, when its delivery is handled, and from then on named by its stored ref. Handlers pass refs
around (`Reply.pictures`); here they become images just before a channel renders them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import replace

from bot.channels.picture_bytes import redrawn
from bot.channels.port import ChatChannel, MediaSource
from handlers.messages import Attachment, Image, IncomingMessage, Reply
from notifications.push import Undeliverable
from oms_client.chats.media import STORED_REF, MediaStore, picture_type, stored_id
from oms_client.clock import Clock

log = logging.getLogger(__name__)
# What one picture may weigh to be kept: WeChat and WeCom take images up to 10 MB.
PICTURE_LIMIT = 10 * 1024 * 1024
MISSING = "（{count} 张图片已无法显示）"


class Pictures:
    def __init__(self, media: MediaStore, clock: Clock) -> None:
        self.media, self.clock = media, clock

    async def keep(self, source: ChatChannel | MediaSource, message: IncomingMessage) -> IncomingMessage:
        """The message with its platform pictures fetched and stored, refs replaced by stored ones.

        A picture the platform no longer has (or that is too big, or no picture at all) keeps its platform
        ref, so it still counts as sent; a network failure raises, and the delivery is handled again later.
        """
        if not isinstance(source, MediaSource) or not any(_from_platform(a) for a in message.attachments):
            return message
        owner = f"{message.channel}:{message.chat_id}"
        kept = [await self._keep_one(source, owner, a) if _from_platform(a) else a for a in message.attachments]
        return replace(message, attachments=tuple(kept))

    async def show(self, replies: Sequence[Reply]) -> list[Reply]:
        """Replies with their pictures as image replies after each (one image per reply on every platform)."""
        shown: list[Reply] = []
        for reply in replies:
            if not reply.pictures:
                shown.append(reply)
                continue
            images = [image for ref in reply.pictures if (image := await self._image(ref)) is not None]
            lost = len(reply.pictures) - len(images)
            text = "\n".join(part for part in (reply.text, MISSING.format(count=lost) if lost else "") if part)
            if text or reply.buttons:
                shown.append(replace(reply, text=text, pictures=()))
            shown += [Reply("", image=image, to=reply.to) for image in images]
        return shown

    async def _keep_one(self, source: MediaSource, owner: str, attachment: Attachment) -> Attachment:
        try:
            data = await source.fetch_media(attachment.ref)
        except Undeliverable as gone:
            log.warning("a picture from %s could not be fetched: %s", owner.partition(":")[0], gone)
            return attachment
        picture = await asyncio.to_thread(redrawn, data) if picture_type(data) and len(data) <= PICTURE_LIMIT else None
        if picture is None:
            log.warning("a picture from %s was not kept (%d bytes)", owner.partition(":")[0], len(data))
            return attachment
        return Attachment("image", STORED_REF + await self.media.put(owner, *picture, self.clock.now()))

    async def _image(self, ref: str) -> Image | None:
        item_id = stored_id(ref)
        found = await self.media.load(item_id) if item_id else None
        return Image(found[1], found[0]) if found is not None else None


def _from_platform(attachment: Attachment) -> bool:
    return attachment.kind == "image" and bool(attachment.ref) and stored_id(attachment.ref) is None
