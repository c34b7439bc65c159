"""Fixtures: the store on SQLite and on the local PostgreSQL, a fixed clock, seeded data.

PostgreSQL tests create their own database for the session and a schema per test, and skip with the
reason when no server answers (XIAOER_TEST_POSTGRES_URL, default the local server's `test` database).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import pytest
import pytest_asyncio
from sqlalchemy.engine import make_url

import nlu
from handlers.dialogue import Dialogue
from oms_client.alerts.desk import AlertStore
from oms_client.alerts.outbox import OutboxStore
from oms_client.clock import FixedClock
from oms_client.demo.seed import SeedResult, seed_store
from oms_client.sql.database import Database, open_database
from oms_client.sql.migrate import upgrade
from oms_client.stores.orders import SqlOrderStore

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI)
POSTGRES_URL = os.environ.get("XIAOER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
FIXTURES = Path(__file__).parent / "fixtures"


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(url), timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _admin_now(url: str, statement: str) -> None:
    """Runs in a thread of its own: the session fixture may be first asked for inside a running loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, _admin(url, statement)).result()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of this test session's own on the local PostgreSQL server, dropped at the end."""
    name = f"xiaoer_test_{uuid.uuid4().hex[:10]}"
    try:
        _admin_now(POSTGRES_URL, f'CREATE DATABASE "{name}"')
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {error}")
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    _admin_now(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest_asyncio.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated, empty store: a fresh SQLite file, or a fresh schema in the session's PG database."""
    if request.param == "sqlite":
        db = open_database(f"sqlite:///{tmp_path / 'store.db'}")
    else:
        url = request.getfixturevalue("postgres_url")
        schema = f"t_{uuid.uuid4().hex[:12]}"
        await _admin(url, f'CREATE SCHEMA "{schema}"')
        db = open_database(url, connect_args={"server_settings": {"search_path": schema}})
    await upgrade(db)
    yield db
    await db.dispose()
    if request.param == "postgresql":  # the session's database stays small: fewer tables, fewer locks
        await _admin(url, f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def store(database: Database) -> SqlOrderStore:
    return SqlOrderStore(database)


@pytest.fixture
def alerts(database: Database) -> AlertStore:
    return AlertStore(database)


@pytest.fixture
def outbox(database: Database) -> OutboxStore:
    return OutboxStore(database)


@pytest_asyncio.fixture
async def seeded(database: Database) -> SeedResult:
    return await seed_store(database, orders=400, seed=7, now=NOW)


@pytest.fixture
def dialogue(store: SqlOrderStore, clock: FixedClock) -> Dialogue:
    return Dialogue(store, nlu.parse, clock, SHANGHAI)
