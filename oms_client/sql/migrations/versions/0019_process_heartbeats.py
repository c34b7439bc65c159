"""serving processes say they are alive: the inbox claims of one killed mid-turn are taken over as soon as
its heartbeat lapses instead of when the claim's minute runs out

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import oms_client.sql.types

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "processes",
        sa.Column("holder", sa.String(length=80), nullable=False),
        sa.Column("alive_until", oms_client.sql.types.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("holder", name=op.f("pk_processes")),
    )


def downgrade() -> None:
    op.drop_table("processes")
