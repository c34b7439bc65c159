"""access tokens kept in the store: WeChat and WeCom void an app's other tokens when a new one is fetched,
so every process uses the one the store holds and only one of them fetches a new one

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import oms_client.sql.types

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_tokens",
        sa.Column("app", sa.String(length=120), nullable=False),
        sa.Column("token", sa.String(length=1024), nullable=True),
        sa.Column("expires_at", oms_client.sql.types.AwareDateTime(timezone=True), nullable=True),
        sa.Column("refreshing_until", oms_client.sql.types.AwareDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("app", name=op.f("pk_access_tokens")),
    )


def downgrade() -> None:
    op.drop_table("access_tokens")
