"""index chat bindings by customer: the customer notices after each scan join a late order's customer to the
chats that proved it, and without it every scan read all bindings

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_chat_bindings_customer", "chat_bindings", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_chat_bindings_customer", table_name="chat_bindings")
