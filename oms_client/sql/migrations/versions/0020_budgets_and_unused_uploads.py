"""budgets: how often a visitor, a chat or an address has uploaded or asked for a person in the current
window (shared by every process); media remember when a message first used them, so an upload no message
used can be deleted (pictures kept before this were all taken in with a message); on SQLite the replies'
ids never start again from 1 once purges and erasures can empty the table (a web page asks for replies after
the last id it saw)

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import oms_client.sql.types

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "budgets",
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("window_start", oms_client.sql.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_budgets")),
    )
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.add_column(sa.Column("used_at", oms_client.sql.types.AwareDateTime(timezone=True), nullable=True))
    op.execute("UPDATE media SET used_at = created_at")
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("outgoing", recreate="always", table_kwargs={"sqlite_autoincrement": True}):
            pass


def downgrade() -> None:
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.drop_column("used_at")
    op.drop_table("budgets")
