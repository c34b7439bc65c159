"""customers' chats handed to service agents

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import oms_client.sql.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

OPEN = sa.text("state != 'ended'")


def upgrade() -> None:
    when = oms_client.sql.types.AwareDateTime(timezone=True)
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_key", sa.String(length=160), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=True),
        sa.Column("agent_chat", sa.String(length=160), nullable=True),
        sa.Column("created_at", when, nullable=False),
        sa.Column("claimed_at", when, nullable=True),
        sa.Column("focused_at", when, nullable=True),
        sa.Column("ended_at", when, nullable=True),
        sa.Column("ended_by", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoffs")),
    )
    op.create_index("uq_handoffs_open", "handoffs", ["chat_key"], unique=True, sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_index("ix_handoffs_state", "handoffs", ["state", "id"])
    op.create_index("ix_handoffs_agent", "handoffs", ["agent_id", "state"])


def downgrade() -> None:
    op.drop_table("handoffs")
