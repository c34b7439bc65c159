"""when a waiting customer was told a person would answer (at once, or at the next opening)

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import oms_client.sql.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "handoffs", sa.Column("expected_at", oms_client.sql.types.AwareDateTime(timezone=True), nullable=True)
    )
    op.execute("UPDATE handoffs SET expected_at = created_at")


def downgrade() -> None:
    op.drop_column("handoffs", "expected_at")
