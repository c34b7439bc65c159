"""a chat binding names the receiver phone that was proved, so it opens only the orders to that phone (a gift
recipient no longer sees the buyer's account); a failed guess keeps the sender's address and whether it was
a whole phone number (per-address caps; the order's cap counts tail guesses only)

Bindings made before this opened a customer's whole account: they are dropped, and those chats prove again.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM chat_bindings")
    with op.batch_alter_table("chat_bindings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("receiver_phone", sa.String(length=32), nullable=False))
        batch_op.drop_constraint("uq_chat_bindings_who", type_="unique")
        batch_op.create_unique_constraint(
            "uq_chat_bindings_proof", ["channel", "user_id", "customer_id", "receiver_phone"]
        )
    with op.batch_alter_table("verification_failures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("whole_phone", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index("ix_verification_failures_client", ["client", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("verification_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_verification_failures_client")
        batch_op.drop_column("whole_phone")
        batch_op.drop_column("client")
    op.execute("DELETE FROM chat_bindings")
    with op.batch_alter_table("chat_bindings", schema=None) as batch_op:
        batch_op.drop_constraint("uq_chat_bindings_proof", type_="unique")
        batch_op.create_unique_constraint("uq_chat_bindings_who", ["channel", "user_id", "customer_id"])
        batch_op.drop_column("receiver_phone")
