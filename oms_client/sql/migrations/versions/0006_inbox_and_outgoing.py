"""inbox of chat deliveries and the outgoing reply queue

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import oms_client.sql.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UNHANDLED = sa.text("handled_at IS NULL")
UNSENT = sa.text("sent_at IS NULL")


def _time(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, oms_client.sql.types.AwareDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("delivery_key", sa.String(length=128), nullable=False),
        sa.Column("chat_key", sa.String(length=160), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        _time("received_at"),
        sa.Column("claimed_by", sa.String(length=80), nullable=True),
        _time("claimed_until", nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        _time("handled_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox")),
        sa.UniqueConstraint("channel", "delivery_key", name="uq_inbox_delivery"),
    )
    op.create_index(
        "ix_inbox_unhandled", "inbox", ["chat_key", "id"], sqlite_where=UNHANDLED, postgresql_where=UNHANDLED
    )
    op.create_table(
        "outgoing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=128), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        _time("created_at"),
        _time("send_at"),
        _time("pace_at"),
        _time("claimed_until", nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        _time("sent_at", nullable=True),
        _time("failed_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outgoing")),
    )
    op.create_index("ix_outgoing_unsent", "outgoing", ["send_at"], sqlite_where=UNSENT, postgresql_where=UNSENT)
    op.create_index("ix_outgoing_chat", "outgoing", ["channel", "chat_id", "id"])


def downgrade() -> None:
    op.drop_table("outgoing")
    op.drop_table("inbox")
