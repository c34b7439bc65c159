"""presale (预售) orders: the deposit, the balance's window and the shipping promise counted from the balance

Revision ID: 0027
Revises: 0026
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import oms_client.sql.types

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

TIME = oms_client.sql.types.AwareDateTime(timezone=True)


def upgrade() -> None:
    op.add_column("orders", sa.Column("presale", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("orders", sa.Column("presale_deposit", sa.Numeric(precision=12, scale=2), nullable=True))
    op.add_column("orders", sa.Column("balance_from", TIME, nullable=True))
    op.add_column("orders", sa.Column("balance_due", TIME, nullable=True))
    op.add_column("orders", sa.Column("presale_ship_days", sa.Integer(), nullable=True))


def downgrade() -> None:
    for column in ("presale_ship_days", "balance_due", "balance_from", "presale_deposit", "presale"):
        op.drop_column("orders", column)
