"""Engines for the store: URL translation and the SQLite settings that keep concurrent writers safe."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

WRITE_OPTION = "xiaoer_write"
SQLITE_BUSY_TIMEOUT_MS = 10_000


def async_url(url: str) -> str:
    """Map the contract's `sqlite:///PATH` / `postgresql://...` onto the asyncio drivers."""
    parsed = make_url(url)
    if parsed.drivername in ("sqlite", "sqlite+aiosqlite"):
        return parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+asyncpg"):
        return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    raise ValueError(f"unsupported database URL scheme: {parsed.drivername}")


class Writer:
    """Opens write transactions; on SQLite one at a time per process.

    SQLite lets one writer in at a time. Writers of one process that race for the lock each get a busy
    handler that sleeps in growing steps (up to 100 ms) before trying again, so under load most of a
    turn's time went to sleeping; queueing them on an asyncio lock first hands the file lock straight on.
    Writers of other processes still meet the busy timeout.
    """

    def __init__(self, engine: AsyncEngine, one_at_a_time: bool) -> None:
        self.engine = engine
        self._turn = asyncio.Lock() if one_at_a_time else None

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        async with self._turn or nullcontext(), self.engine.begin() as conn:
            yield conn


@dataclass(frozen=True)
class Database:
    """One pool, two doors: `read` for queries, `write` for transactions that change rows.

    On SQLite a deferred transaction that reads and then writes fails with "database is locked" when
    another writer got in between; `write` starts with BEGIN IMMEDIATE so writers queue up instead.
    """

    read: AsyncEngine
    write: Writer

    @property
    def dialect(self) -> str:
        return self.read.dialect.name

    def conflict_insert(self, table: Table | type[Any]) -> postgresql.Insert | sqlite.Insert:
        """An INSERT that can say ON CONFLICT, in this store's dialect."""
        if self.dialect == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    async def dispose(self) -> None:
        await self.read.dispose()


def open_database(url: str, **engine_kwargs: Any) -> Database:
    engine = create_async_engine(async_url(url), **engine_kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    one_writer = engine.dialect.name == "sqlite"
    return Database(read=engine, write=Writer(engine.execution_options(**{WRITE_OPTION: True}), one_writer))


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy's begin event below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
