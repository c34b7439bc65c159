"""Read positions of feeds we pull, kept in the store so every process and every restart shares them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from oms_client.sql import models as m
from oms_client.sql.database import Database


class CursorStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def get(self, name: str) -> str:
        """The saved position, or "" (the feed's start) when nothing was read yet."""
        async with self.database.read.connect() as conn:
            return str(await conn.scalar(select(m.CursorRow.value).where(m.CursorRow.name == name)) or "")

    async def put(self, name: str, value: str, now: datetime) -> None:
        statement = self.database.conflict_insert(m.CursorRow).values(name=name, value=value, updated_at=now)
        statement = statement.on_conflict_do_update(index_elements=["name"], set_={"value": value, "updated_at": now})
        async with self.database.write.begin() as conn:
            await conn.execute(statement)

    async def names(self, prefix: str) -> list[str]:
        """The feeds read so far whose names start with `prefix` (one per 微信客服 account, say)."""
        query = select(m.CursorRow.name).where(m.CursorRow.name.startswith(prefix, autoescape=True))
        async with self.database.read.connect() as conn:
            return list((await conn.scalars(query.order_by(m.CursorRow.name))).all())
