"""a parcel remembers when its waybill was subscribed at the tracking provider, so it is subscribed once

Revision ID: 0024
Revises: 0023
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import oms_client.sql.types

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "shipments", sa.Column("subscribed_at", oms_client.sql.types.AwareDateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("shipments", "subscribed_at")
