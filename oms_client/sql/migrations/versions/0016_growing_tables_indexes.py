"""indexes for two questions that read a whole table that only grows: when a chat's customer last wrote
(WeChat's reply window, asked before every API send: the inbox) and who heard of an alert that clears
(the outbox)

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
    op.create_index("ix_outbox_alert", "outbox", ["alert_id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_alert", table_name="outbox")
    op.drop_index("ix_inbox_chat_received", table_name="inbox")
