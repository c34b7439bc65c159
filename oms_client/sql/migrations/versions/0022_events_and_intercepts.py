"""outbound events ride the outbox in order per order (its stream), and a shipment remembers an approved
intercept request

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import oms_client.sql.types

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("stream", sa.String(length=120), nullable=True))
    op.add_column(
        "shipments",
        sa.Column("intercept_requested_at", oms_client.sql.types.AwareDateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("shipments", "intercept_requested_at")
    op.drop_column("outbox", "stream")
