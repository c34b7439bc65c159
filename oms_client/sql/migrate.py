"""Schema migrations (alembic), applied by `xiaoer db upgrade` and on every start of the app."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from oms_client.sql.database import Database

MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK = "xiaoer:migrations"


def alembic_config(url: str = "") -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    return config


async def upgrade(database: Database, revision: str = "head") -> tuple[str | None, str | None]:
    """Bring the schema to the newest revision inside one write transaction. Processes starting together on a
    new store take turns: the first migrates, the others find the schema at its revision. Returns the
    revision before and after (None: an empty store), so `db upgrade` can say what it did."""
    return await _migrate(database, command.upgrade, revision)


async def downgrade(database: Database, revision: str) -> None:
    """Step back to `revision`: how the tests build a store as an older release left it."""
    await _migrate(database, command.downgrade, revision)


async def _migrate(
    database: Database, step: Callable[[Config, str], None], revision: str
) -> tuple[str | None, str | None]:
    def run(connection: Connection) -> tuple[str | None, str | None]:
        before = MigrationContext.configure(connection).get_current_revision()
        config = alembic_config()
        config.attributes["connection"] = connection
        step(config, revision)
        return before, MigrationContext.configure(connection).get_current_revision()

    async with database.write.begin() as connection:
        if connection.dialect.name == "postgresql":  # SQLite's write transaction already excludes the others
            await connection.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(MIGRATION_LOCK, 0))))
        return await connection.run_sync(run)
