"""the report's periods: orders by payment time and parcels by dispatch time, so a week's figures read that
week's rows, not the store's

Revision ID: 0031
Revises: 0030
"""

from __future__ import annotations

from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_orders_paid_at", "orders", ["paid_at"])
    op.create_index("ix_shipments_shipped_at", "shipments", ["shipped_at"])


def downgrade() -> None:
    op.drop_index("ix_shipments_shipped_at", "shipments")
    op.drop_index("ix_orders_paid_at", "orders")
