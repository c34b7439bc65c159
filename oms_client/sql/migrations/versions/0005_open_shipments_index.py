"""partial index on the parcels still on their way

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

OPEN = sa.text("last_event_state <> 'signed'")


def upgrade() -> None:
    op.create_index(
        "ix_shipments_open_last_event",
        "shipments",
        ["last_event_at"],
        if_not_exists=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index("ix_shipments_open_last_event", table_name="shipments", sqlite_where=OPEN, postgresql_where=OPEN)
