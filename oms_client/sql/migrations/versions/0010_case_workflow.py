"""after-sales cases: who filed them, their details, their agent; one open case per order and kind

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

OPEN = sa.text("state NOT IN ('rejected', 'closed')")


def upgrade() -> None:
    with op.batch_alter_table("aftersales_cases") as table:
        table.add_column(sa.Column("filed_by", sa.String(length=160), nullable=True))
        table.add_column(sa.Column("detail", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
        table.add_column(sa.Column("assignee", sa.String(length=80), nullable=True))
    op.create_index(
        "uq_aftersales_open",
        "aftersales_cases",
        ["order_id", "kind"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index("uq_aftersales_open", table_name="aftersales_cases")
    with op.batch_alter_table("aftersales_cases") as table:
        table.drop_column("assignee")
        table.drop_column("detail")
        table.drop_column("filed_by")
