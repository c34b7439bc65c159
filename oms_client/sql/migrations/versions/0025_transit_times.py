"""transit times learned from the shop's delivered parcels, per route, courier and overall

Revision ID: 0025
Revises: 0024
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import oms_client.sql.types

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transit_times",
        sa.Column("courier", sa.String(length=8), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("destination", sa.String(length=32), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("p25_hours", sa.Float(), nullable=False),
        sa.Column("p50_hours", sa.Float(), nullable=False),
        sa.Column("p75_hours", sa.Float(), nullable=False),
        sa.Column("p90_hours", sa.Float(), nullable=False),
        sa.Column("learned_at", oms_client.sql.types.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("courier", "origin", "destination", name=op.f("pk_transit_times")),
    )


def downgrade() -> None:
    op.drop_table("transit_times")
