"""what customers' messages were read as, counted per shop day (the report's intents and clarifications)

Revision ID: 0030
Revises: 0029
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intent_counts",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("intent", sa.String(length=32), nullable=False),
        sa.Column("unsure", sa.Boolean(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "intent", "unsure", name=op.f("pk_intent_counts")),
    )


def downgrade() -> None:
    op.drop_table("intent_counts")
