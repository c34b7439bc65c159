"""Engines for the store: URL translation and the SQLite settings that keep concurrent writers safe."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.sql import Executable

WRITE_OPTION = "xiaoer_write"
# The tables an erasure deletes from or blanks: what `compact` cleans on PostgreSQL.
ERASED_FROM = ("inbox", "outgoing", "conversations", "media", "chat_bindings", "handoffs", "aftersales_cases",
               "audit_log", "orders", "verification_failures", "customer_notices", "budgets")  # fmt: skip
SQLITE_BUSY_TIMEOUT_MS = 10_000
T = TypeVar("T")
CHUNK = 5_000  # keeps IN lists and executemany batches under every driver's parameter limit


def async_url(url: str) -> str:
    """Map the contract's `sqlite:///PATH` / `postgresql://...` onto the asyncio drivers."""
    parsed = make_url(url)
    if parsed.drivername in ("sqlite", "sqlite+aiosqlite"):
        return parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+asyncpg"):
        return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    raise ValueError(f"unsupported database URL scheme: {parsed.drivername}")


class Writer:
    """Opens write transactions; on SQLite one at a time per process, in one thread of their own.

    SQLite lets one writer in at a time, so a write transaction's length is what every other writer of the
    store waits. Through aiosqlite each statement is a round trip to its thread and back through the event
    loop, and under load the loop is slow to come back: transactions held the lock for several loop turns
    each and chats queued behind them. `run` hands a whole transaction to the writer thread as one
    synchronous function, which holds the lock only as long as SQLite works; `begin` (the async way, for
    transactions that are not hot) keeps that thread waiting meanwhile, so writers still go one at a time,
    in the order they came. On PostgreSQL both are plain transactions.
    """

    def __init__(self, engine: AsyncEngine, sqlite_writer: Engine | None = None) -> None:
        self.engine = engine
        self._sqlite = sqlite_writer
        self._thread = ThreadPoolExecutor(1, "sqlite-writer") if sqlite_writer is not None else None

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncConnection]:
        if self._thread is None:
            async with self.engine.begin() as conn:
                yield conn
            return
        async with self._writer_thread_waiting(self._thread), self.engine.begin() as conn:
            yield conn

    async def run(self, work: Callable[[Connection], T]) -> T:
        """`work` as one transaction (committed when it returns, rolled back when it raises)."""
        if self._thread is None:
            async with self.engine.begin() as conn:
                return await conn.run_sync(work)
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._transact, work)

    async def execute(self, statement: Executable, params: dict[str, Any] | None = None) -> None:
        """One statement as a transaction of its own."""

        def execute(conn: Connection) -> None:
            conn.execute(statement, params)

        await self.run(execute)

    async def outside_transaction(self, *statements: str) -> None:
        """SQLite statements that cannot run in a transaction (VACUUM), in the writer thread so no write
        transaction of this process is open meanwhile."""

        def run() -> None:
            assert self._sqlite is not None
            with self._sqlite.connect() as conn:
                raw = conn.connection.driver_connection
                assert raw is not None
                for statement in statements:
                    raw.execute(statement)

        if self._thread is None:
            raise RuntimeError("only SQLite has statements that run outside a transaction here")
        await asyncio.get_running_loop().run_in_executor(self._thread, run)

    async def close(self) -> None:
        if self._thread is not None and self._sqlite is not None:
            await asyncio.to_thread(self._thread.shutdown)
            self._sqlite.dispose()

    def _transact(self, work: Callable[[Connection], T]) -> T:
        assert self._sqlite is not None
        with self._sqlite.begin() as conn:
            return work(conn)

    @staticmethod
    @asynccontextmanager
    async def _writer_thread_waiting(thread: ThreadPoolExecutor) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        entered: asyncio.Future[None] = loop.create_future()
        done = threading.Event()

        def wait_for_the_async_writer() -> None:
            loop.call_soon_threadsafe(_resolve, entered)
            done.wait()

        thread.submit(wait_for_the_async_writer)
        try:
            await entered
            yield
        finally:
            done.set()  # also when cancelled before the thread got to it: it then passes straight on


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def conflict_insert(dialect: str, table: Table | type[Any]) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that can say ON CONFLICT, in `dialect` (for transaction bodies that hold only a connection)."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


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
        return conflict_insert(self.dialect, table)

    async def compact(self) -> None:
        """After an erasure: rewrite the store without the free space deleted rows left behind.

        On SQLite, VACUUM rebuilds the file from live rows only (space freed before secure_delete was on may
        still hold old bytes) and a truncating checkpoint empties the write-ahead log, which keeps old page
        images. PostgreSQL's VACUUM marks dead rows' space free; their bytes go when the space is reused.
        """
        if self.dialect == "sqlite":
            await self.write.outside_transaction("VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)")
            return
        async with self.read.connect() as conn:
            autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.exec_driver_sql(f"VACUUM {', '.join(ERASED_FROM)}")

    async def dispose(self) -> None:
        await self.write.close()
        await self.read.dispose()


def open_database(url: str, **engine_kwargs: Any) -> Database:
    if make_url(async_url(url)).get_backend_name() == "postgresql":
        # A busy process has a turn, a sender, a sweep and web requests in flight at once: with the default five
        # pooled connections most of them opened and closed one of their own (a fresh login each, 5 % of a loaded
        # process's time). Twenty kept per process leave room for several processes under max_connections 100.
        engine_kwargs = {"pool_size": 20, "max_overflow": 10} | engine_kwargs
    engine = create_async_engine(async_url(url), **engine_kwargs)
    writes = engine.execution_options(**{WRITE_OPTION: True})
    if engine.dialect.name != "sqlite":
        # A read outside a transaction: each statement of READ COMMITTED sees its own snapshot either way, and
        # the BEGIN and ROLLBACK around every read were two of a turn's round trips to the server in three.
        return Database(read=engine.execution_options(isolation_level="AUTOCOMMIT"), write=Writer(writes))
    _configure_sqlite(engine.sync_engine)
    writer = create_engine(make_url(url).set(drivername="sqlite"))
    _configure_sqlite(writer)
    return Database(read=engine, write=Writer(writes, writer.execution_options(**{WRITE_OPTION: True})))


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy's begin event below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # Deleted rows are overwritten, not just unlinked: erased chat data must not stay readable in the file.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    """Slices that keep IN lists and executemany batches under every driver's parameter limit."""
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
