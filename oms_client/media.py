"""Pictures customers send through the web chat, kept in the store so every process can serve them.

Other platforms keep their own media and give us an id; the web chat has nobody to keep them for us.
A picture is addressed by a hash of its owner and its bytes, so sending the same one twice stores it once
and an id says nothing to anyone who does not already hold the picture.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from oms_client import models as m
from oms_client.database import Database

ID_LENGTH = 40


def media_id(owner: str, data: bytes) -> str:
    return hashlib.sha256(owner.encode() + b"\0" + data).hexdigest()[:ID_LENGTH]


class MediaStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def put(self, owner: str, data: bytes, mime: str, now: datetime) -> str:
        new_id = media_id(owner, data)
        values = {"id": new_id, "owner": owner, "mime": mime, "size": len(data), "data": data, "created_at": now}
        dialect = postgresql if self.database.dialect == "postgresql" else sqlite
        async with self.database.write.begin() as conn:
            await conn.execute(dialect.insert(m.MediaRow).values(values).on_conflict_do_nothing())
        return new_id

    async def get(self, owner: str, item_id: str) -> tuple[str, bytes] | None:
        """The picture's type and bytes, only for the chat that sent it."""
        query = select(m.MediaRow.mime, m.MediaRow.data).where(m.MediaRow.id == item_id, m.MediaRow.owner == owner)
        async with self.database.read.connect() as conn:
            row = (await conn.execute(query)).first()
        return (row.mime, bytes(row.data)) if row is not None else None

    async def exists(self, owner: str, item_id: str) -> bool:
        query = select(m.MediaRow.id).where(m.MediaRow.id == item_id, m.MediaRow.owner == owner)
        async with self.database.read.connect() as conn:
            return await conn.scalar(query) is not None
