"""customers told of their own late order or stuck parcel, once per order and day

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import oms_client.sql.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_key", sa.String(length=80), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("chat_key", sa.String(length=160), nullable=False),
        sa.Column("created_at", oms_client.sql.types.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_notices")),
        sa.UniqueConstraint("order_key", "day", name="uq_customer_notices_order_day"),
    )


def downgrade() -> None:
    op.drop_table("customer_notices")
