"""Pictures customers and agents send, kept in the store so every process can serve and forward them.

The web chat has nobody to keep them for us; the other platforms keep theirs only for a while (WeChat's
temporary media last three days) and only for the app they were sent to, so a Telegram photo cannot be
shown on WeChat by its id, and evidence would vanish before an agent looks at the case. A picture is
addressed by a hash of its owner (the chat that sent it) and its bytes: sending the same one twice stores
it once, and an id says nothing to anyone who does not already hold the picture.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from oms_client.sql import models as m
from oms_client.sql.database import Database

ID_LENGTH = 40
# How an attachment names a kept picture; the web chat's first refs carried its own prefix.
STORED_REF = "media:"
EARLIER_REFS = ("web-media:",)
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def media_id(owner: str, data: bytes) -> str:
    return hashlib.sha256(owner.encode() + b"\0" + data).hexdigest()[:ID_LENGTH]


def picture_type(data: bytes) -> str | None:
    """The type the bytes themselves say (never what a sender claims): JPEG, PNG or GIF, else None."""
    return next((kind for magic, kind in SIGNATURES if data.startswith(magic)), None)


def stored_id(ref: str) -> str | None:
    """The media id an attachment's ref names, when the picture is kept here; None for a platform's ref."""
    for prefix in (STORED_REF, *EARLIER_REFS):
        if ref.startswith(prefix):
            return ref.removeprefix(prefix)
    return None


class MediaStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def put(self, owner: str, data: bytes, mime: str, now: datetime, pending: bool = False) -> str:
        """Keep a picture; a `pending` one (uploaded, no message yet) is deleted unless a message uses it."""
        new_id = media_id(owner, data)
        values = {"id": new_id, "owner": owner, "mime": mime, "size": len(data), "data": data, "created_at": now,
                  "used_at": None if pending else now}  # fmt: skip
        async with self.database.write.begin() as conn:
            await conn.execute(self.database.conflict_insert(m.MediaRow).values(values).on_conflict_do_nothing())
        return new_id

    async def use(self, owner: str, item_id: str, now: datetime) -> None:
        """A message carries the picture: it is kept from now on (for as long as pictures are kept)."""
        media = m.MediaRow
        statement = (
            update(media).where(media.id == item_id, media.owner == owner, media.used_at.is_(None)).values(used_at=now)
        )
        await self.database.write.execute(statement)

    async def get(self, owner: str, item_id: str) -> tuple[str, bytes] | None:
        """The picture's type and bytes, only for the chat that sent it (what a web page may fetch)."""
        return await self._read(m.MediaRow.id == item_id, m.MediaRow.owner == owner)

    async def load(self, item_id: str) -> tuple[str, bytes] | None:
        """Any kept picture, for the bot's own forwarding: its ids come only from messages it took in."""
        return await self._read(m.MediaRow.id == item_id)

    async def _read(self, *conditions: Any) -> tuple[str, bytes] | None:
        query = select(m.MediaRow.mime, m.MediaRow.data).where(*conditions)
        async with self.database.read.connect() as conn:
            row = (await conn.execute(query)).first()
        return (row.mime, bytes(row.data)) if row is not None else None

    async def exists(self, owner: str, item_id: str) -> bool:
        query = select(m.MediaRow.id).where(m.MediaRow.id == item_id, m.MediaRow.owner == owner)
        async with self.database.read.connect() as conn:
            return await conn.scalar(query) is not None
