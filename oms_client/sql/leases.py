"""Leadership among processes that share the store, and once-per-interval job runs.

A lease row names the leader until it expires; the leader renews it on every tick, and a follower takes
it over only after it lapsed, so a crashed leader is replaced within one lease time. A job run is also
claimed per interval (primary key on job and slot): even two processes that both think they lead —
a paused leader waking after its lease was taken — cannot run the same interval twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, delete, exists, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from oms_client.sql import models as m
from oms_client.sql.database import Database

LAPSED = datetime(1970, 1, 1, tzinfo=UTC)


class Leases:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def hold(self, name: str, holder: str, ttl: timedelta, now: datetime) -> bool:
        """Take or renew the lease; True while `holder` leads."""
        table = m.LeaseRow
        async with self.database.write.begin() as conn:
            renewed = await conn.execute(
                update(table)
                .where(table.name == name, or_(table.holder == holder, table.expires_at <= now))
                .values(holder=holder, expires_at=now + ttl)
            )
            if renewed.rowcount == 1:
                return True
            # A row that appeared since the update was made by another job of this process (the scan and
            # the relay start together) or by another process: the lease is ours only in the first case.
            current = await conn.scalar(_holder_of(name))
            if current is not None:
                return current == holder
        return await self._first(name, holder, now + ttl)

    async def _first(self, name: str, holder: str, expires_at: datetime) -> bool:
        try:
            async with self.database.write.begin() as conn:
                await conn.execute(insert(m.LeaseRow).values(name=name, holder=holder, expires_at=expires_at))
        except IntegrityError:  # made meanwhile, as above
            async with self.database.read.connect() as conn:
                return await conn.scalar(_holder_of(name)) == holder
        return True

    async def release(self, name: str, holder: str) -> None:
        table = m.LeaseRow
        async with self.database.write.begin() as conn:
            await conn.execute(
                update(table).where(table.name == name, table.holder == holder).values(expires_at=LAPSED)
            )

    async def claim_run(self, job: str, slot: int, holder: str, now: datetime) -> bool:
        """True for exactly one caller per (job, slot)."""
        try:
            async with self.database.write.begin() as conn:
                await conn.execute(insert(m.JobRunRow).values(job=job, slot=slot, holder=holder, started_at=now))
        except IntegrityError:
            return False
        return True

    async def runs(self, job: str) -> list[tuple[int, str]]:
        table = m.JobRunRow
        query = select(table.slot, table.holder).where(table.job == job).order_by(table.slot)
        async with self.database.read.connect() as conn:
            return [(row.slot, row.holder) for row in (await conn.execute(query)).all()]


def _holder_of(name: str) -> Select[str]:
    return select(m.LeaseRow.holder).where(m.LeaseRow.name == name)


class Liveness:
    """Each serving process says every few seconds that it is alive. Claims (an inbox delivery being answered)
    name their holder, and a claim whose holder stopped saying so is free before its own time runs out: a
    process killed mid-turn no longer holds its chats for a whole claim time. A holder that never said it
    is alive (a console chat, a test) keeps its claims for their full time, as before."""

    def __init__(self, database: Database) -> None:
        self.database = database

    async def beat(self, holder: str, ttl: timedelta, now: datetime) -> None:
        table = m.ProcessRow
        async with self.database.write.begin() as conn:
            renewed = await conn.execute(update(table).where(table.holder == holder).values(alive_until=now + ttl))
            if renewed.rowcount == 0:
                await conn.execute(insert(table).values(holder=holder, alive_until=now + ttl))

    async def gone(self, holder: str) -> None:
        """A clean stop: nothing of this process needs waiting for."""
        async with self.database.write.begin() as conn:
            await conn.execute(delete(m.ProcessRow).where(m.ProcessRow.holder == holder))


def holder_stopped(
    claimed_by: SQLColumnExpression[str | None], now: SQLColumnExpression[datetime]
) -> ColumnElement[bool]:
    """Whether a claim's holder was a serving process that has stopped saying it is alive."""
    process = m.ProcessRow
    return exists().where(process.holder == claimed_by, process.alive_until < now)
