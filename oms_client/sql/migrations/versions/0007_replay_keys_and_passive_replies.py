"""replay keys of signed deliveries; replies tied to their delivery and sent passively

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("inbox", sa.Column("replay_key", sa.String(length=80), nullable=True))
    op.create_index("uq_inbox_replay", "inbox", ["channel", "replay_key"], unique=True)
    op.add_column("outgoing", sa.Column("inbox_id", sa.Integer(), nullable=True))
    op.add_column("outgoing", sa.Column("passive", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_index("ix_outgoing_inbox", "outgoing", ["inbox_id"])


def downgrade() -> None:
    op.drop_index("ix_outgoing_inbox", table_name="outgoing")
    op.drop_column("outgoing", "passive")
    op.drop_column("outgoing", "inbox_id")
    op.drop_index("uq_inbox_replay", table_name="inbox")
    op.drop_column("inbox", "replay_key")
