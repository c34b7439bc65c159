"""Fixtures: the store on SQLite and on the local PostgreSQL, a fixed clock, seeded data.

PostgreSQL tests create their own database for the session, a migrated template beside it and a database per
test made from that template, and skip with the reason when no server answers (XIAOER_TEST_POSTGRES_URL,
default the local server's `test` database).
"""

from __future__ import annotations

import asyncio
import os
import shutil
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


def _migrated_now(url: str, **engine_kwargs: object) -> None:
    """A store at the latest schema, made in a thread of its own (session fixtures may start inside a loop)."""

    async def migrate() -> None:
        database = open_database(url, **engine_kwargs)
        await upgrade(database)
        await database.dispose()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, migrate()).result()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated once; each test copies it (migrating per test cost 0.3 s, for hundreds of tests)."""
    path = tmp_path_factory.mktemp("template") / "store.db"
    _migrated_now(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_url: str) -> Iterator[str]:
    """A PostgreSQL database migrated once, the template each test's own database is created from."""
    name = f"{make_url(postgres_url).database}_template"
    _admin_now(postgres_url, f'CREATE DATABASE "{name}"')
    _migrated_now(make_url(postgres_url).set(database=name).render_as_string(hide_password=False))
    yield name
    _admin_now(postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest_asyncio.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated, empty store of the test's own: a copy of the migrated SQLite file, or a PostgreSQL database
    created from the migrated template."""
    if request.param == "sqlite":
        path = tmp_path / "store.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        db = open_database(f"sqlite:///{path}")
    else:
        url, template = request.getfixturevalue("postgres_url"), request.getfixturevalue("postgres_template")
        name = f"{make_url(url).database}_{uuid.uuid4().hex[:12]}"
        await _admin(url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        db = open_database(make_url(url).set(database=name).render_as_string(hide_password=False))
    await upgrade(db)  # a no-op at the latest schema, as every start of the app does
    yield db
    await db.dispose()
    if request.param == "postgresql":
        await _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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
