"""the oversell loop: SKUs know their product (its other variants), stock its expected restock, and each customer
told of an oversold item has an offer row with what they chose

Revision ID: 0029
Revises: 0028
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import oms_client.sql.types

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

TIME = oms_client.sql.types.AwareDateTime(timezone=True)


def upgrade() -> None:
    op.add_column("skus", sa.Column("product", sa.String(length=40), nullable=True))
    op.create_index("ix_skus_product", "skus", ["product"])
    op.add_column("stock", sa.Column("restock_at", TIME, nullable=True))
    op.create_table(
        "oversell_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("restock_at", TIME, nullable=True),
        sa.Column("told_at", TIME, nullable=False),
        sa.Column("choice", sa.String(length=16), nullable=True),
        sa.Column("switch_to", sa.String(length=40), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", TIME, nullable=True),
        sa.Column("restock_told_at", TIME, nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_oversell_offers_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oversell_offers")),
        sa.UniqueConstraint("order_id", "sku", name="uq_oversell_offers_order_id"),
    )
    op.create_index("ix_oversell_offers_sku", "oversell_offers", ["sku"])


def downgrade() -> None:
    op.drop_index("ix_oversell_offers_sku", "oversell_offers")
    op.drop_table("oversell_offers")
    op.drop_column("stock", "restock_at")
    op.drop_index("ix_skus_product", "skus")
    op.drop_column("skus", "product")
