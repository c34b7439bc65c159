"""`SharedTokens` in the SQL store: one row per app, read and claimed in one write transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, select, update

from oms_client.sql import models as m
from oms_client.sql.database import Database
from oms_client.tokens import TokenTurn

_TOKEN = m.AccessTokenRow
# How long one process may take to fetch a token before another tries instead (it may have died meanwhile).
REFRESH_CLAIM = timedelta(seconds=20)


class SqlTokens:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._first = database.conflict_insert(_TOKEN).on_conflict_do_nothing()

    async def turn(self, app: str, stale: str | None, now: datetime) -> TokenTurn:
        def turn(conn: Connection) -> TokenTurn:
            conn.execute(self._first, {"app": app})
            row = conn.execute(select(_TOKEN.__table__).where(_TOKEN.app == app).with_for_update()).one()
            if row.token and row.token != stale and row.expires_at is not None and row.expires_at > now:
                return TokenTurn(token=row.token, expires_at=row.expires_at)
            if row.refreshing_until is not None and row.refreshing_until > now:
                return TokenTurn()
            conn.execute(update(_TOKEN).where(_TOKEN.app == app).values(refreshing_until=now + REFRESH_CLAIM))
            return TokenTurn(fetch=True)

        return await self.database.write.run(turn)

    async def release(self, app: str) -> None:
        await self.database.write.execute(update(_TOKEN).where(_TOKEN.app == app).values(refreshing_until=None))

    async def keep(self, app: str, token: str, expires_at: datetime) -> None:
        values = {"token": token, "expires_at": expires_at, "refreshing_until": None}
        await self.database.write.execute(update(_TOKEN).where(_TOKEN.app == app).values(values))
