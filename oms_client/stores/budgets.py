"""`Budgets` in the SQL store: one row per key, counted in the same transaction that reads it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, select, update

from oms_client.sql import models as m
from oms_client.sql.database import Database

_BUDGET = m.BudgetRow


class SqlBudgets:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._first = database.conflict_insert(_BUDGET).on_conflict_do_nothing()

    async def take(self, key: str, limit: int, window: timedelta, now: datetime) -> bool:
        return await self.take_up_to(key, 1, limit, window, now) == 1

    async def take_up_to(self, key: str, want: int, limit: int, window: timedelta, now: datetime) -> int:
        def take(conn: Connection) -> int:
            conn.execute(self._first, {"key": key[:160], "window_start": now, "used": 0})
            row = conn.execute(select(_BUDGET.window_start, _BUDGET.used).where(_BUDGET.key == key[:160])
                               .with_for_update()).one()  # fmt: skip
            start, used = (now, 0) if row.window_start <= now - window else (row.window_start, row.used)
            granted = max(0, min(want, limit - used))
            if granted:
                values = {"window_start": start, "used": used + granted}
                conn.execute(update(_BUDGET).where(_BUDGET.key == key[:160]).values(values))
            return granted

        return await self.database.write.run(take)

    async def take_sliding(self, key: str, want: int, limit: int, window: timedelta, now: datetime) -> int:
        def take(conn: Connection) -> int:
            conn.execute(self._first, {"key": key[:160], "window_start": now, "used": 0})
            row = conn.execute(select(_BUDGET.recent).where(_BUDGET.key == key[:160]).with_for_update()).one()
            at, since = now.timestamp(), (now - window).timestamp()
            recent = [t for t in (row.recent or []) if t > since]
            granted = max(0, min(want, limit - len(recent)))
            if granted:
                kept = (recent + [at] * granted)[-limit:]
                conn.execute(update(_BUDGET).where(_BUDGET.key == key[:160]).values(recent=kept, window_start=now))
            return granted

        return await self.database.write.run(take)

    async def restamp(self, key: str, granted_at: datetime, used_at: datetime, count: int) -> None:
        granted, used = granted_at.timestamp(), used_at.timestamp()

        def stamp(conn: Connection) -> None:
            row = conn.execute(select(_BUDGET.recent).where(_BUDGET.key == key[:160]).with_for_update()).first()
            recent, moved = list(row.recent or []) if row else [], 0
            for index, at in enumerate(recent):
                if at == granted and moved < count:
                    recent[index], moved = used, moved + 1
            if moved:
                conn.execute(update(_BUDGET).where(_BUDGET.key == key[:160]).values(recent=sorted(recent)))

        await self.database.write.run(stamp)
