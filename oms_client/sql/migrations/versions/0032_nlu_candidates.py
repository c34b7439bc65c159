"""customer messages the bot read without confidence, or misread, kept (numbers replaced) for agents to label
and the shop's own model to learn from

Revision ID: 0032
Revises: 0031
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import oms_client.sql.types

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

TIME = oms_client.sql.types.AwareDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "nlu_candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.Column("chat_key", sa.String(length=160), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("predicted", sa.String(length=32), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("why", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=32), nullable=True),
        sa.Column("labelled_by", sa.String(length=80), nullable=True),
        sa.Column("labelled_at", TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nlu_candidates")),
    )
    op.create_index("ix_nlu_candidates_label", "nlu_candidates", ["label", "id"])


def downgrade() -> None:
    op.drop_index("ix_nlu_candidates_label", "nlu_candidates")
    op.drop_table("nlu_candidates")
