"""Migrations carry existing data forward."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection

from oms_client.demo.seed import seed_store
from oms_client.sql import models
from oms_client.sql.database import Database, open_database
from oms_client.sql.migrate import downgrade, upgrade
from oms_client.stores.orders import SqlOrderStore
from tests.conftest import NOW


async def test_upgrading_to_0003_fills_each_shipments_latest_event(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'old.db'}")
    await upgrade(database)
    await seed_store(database, orders=200, seed=5, now=NOW)
    await downgrade(database, "0003")
    async with database.write.begin() as conn:  # as a store written before 0003 would look
        await conn.execute(text("UPDATE alembic_version SET version_num = '0002'"))
        for column in ("last_event_at", "last_event_state", "last_event_text"):
            await conn.execute(text(f"ALTER TABLE shipments DROP COLUMN {column}"))
    await upgrade(database)
    store = SqlOrderStore(database)
    async with database.read.connect() as conn:
        rows = (await conn.execute(text("SELECT tracking_no, last_event_state FROM shipments"))).all()
    assert rows and all(state for _, state in rows)
    tracking_no, state = rows[0]
    async with database.read.connect() as conn:
        order_no = await conn.scalar(
            text("SELECT o.order_no FROM orders o JOIN shipments s ON s.order_id = o.id WHERE s.tracking_no = :t"),
            {"t": tracking_no},
        )
    [order] = await store.find_orders(order_no)
    latest = order.shipments[0].latest_event
    assert latest is not None and latest.state.value == state
    assert latest.at <= NOW + timedelta(seconds=1)
    await database.dispose()


async def test_migrated_schema_matches_the_models(database: Database) -> None:
    def differences(sync_conn: Connection) -> list[Any]:
        context = MigrationContext.configure(sync_conn, opts={"compare_type": False})
        return list(compare_metadata(context, models.Base.metadata))

    async with database.read.connect() as conn:
        diff = await conn.run_sync(differences)
    assert diff == []
