"""the automatic review of new paid orders (自动审单): the buyer's note it reads, when it looked, and a hold

Orders already in the store count as reviewed when they were created: a new rule holds new orders, not history.

Revision ID: 0026
Revises: 0025
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import oms_client.sql.types

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

TIME = oms_client.sql.types.AwareDateTime(timezone=True)


def upgrade() -> None:
    op.add_column("orders", sa.Column("buyer_note", sa.String(length=500), server_default="", nullable=False))
    op.add_column("orders", sa.Column("reviewed_at", TIME, nullable=True))
    op.add_column("orders", sa.Column("held_since", TIME, nullable=True))
    op.add_column("orders", sa.Column("hold_reason", sa.String(length=200), nullable=True))
    op.add_column("orders", sa.Column("hold_until", TIME, nullable=True))
    op.execute("UPDATE orders SET reviewed_at = created_at")
    op.create_index("ix_orders_unreviewed", "orders", ["id"], sqlite_where=sa.text("reviewed_at IS NULL"),
                    postgresql_where=sa.text("reviewed_at IS NULL"))  # fmt: skip
    op.create_index("ix_orders_receiver_detail", "orders", ["receiver_detail"])
    op.create_index("ix_orders_held", "orders", ["held_since"], sqlite_where=sa.text("held_since IS NOT NULL"),
                    postgresql_where=sa.text("held_since IS NOT NULL"))  # fmt: skip


def downgrade() -> None:
    op.drop_index("ix_orders_held", "orders")
    op.drop_index("ix_orders_receiver_detail", "orders")
    op.drop_index("ix_orders_unreviewed", "orders")
    for column in ("hold_until", "hold_reason", "held_since", "reviewed_at", "buyer_note"):
        op.drop_column("orders", column)
