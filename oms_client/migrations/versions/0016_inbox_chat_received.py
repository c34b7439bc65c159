"""when each chat's customer last wrote, by index: WeChat's reply window is asked before every API send,
and without it that question read the whole inbox, which only grows

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_inbox_chat_received", "inbox", ["chat_key", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_inbox_chat_received", table_name="inbox")
