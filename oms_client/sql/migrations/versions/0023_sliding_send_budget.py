"""the bot's overall send rate counted over a sliding second: the times of the latest sends, kept on the budget
row (a fixed window let a second's last sends and the next window's first arrive within one second: 45 of 30)

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("budgets", sa.Column("recent", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("budgets", "recent")
