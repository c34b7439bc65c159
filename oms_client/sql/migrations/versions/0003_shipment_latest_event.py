"""shipments carry their latest tracking event

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import oms_client.sql.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_LATEST = (
    "SELECT {column} FROM tracking_events e WHERE e.shipment_id = shipments.id ORDER BY e.at DESC, e.id DESC LIMIT 1"
)


def upgrade() -> None:
    with op.batch_alter_table("shipments") as batch_op:
        batch_op.add_column(
            sa.Column("last_event_at", oms_client.sql.types.AwareDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("last_event_state", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("last_event_text", sa.String(length=200), nullable=True))
    op.execute(
        "UPDATE shipments SET "
        + ", ".join(
            f"last_event_{name} = ({_LATEST.format(column=column)})"
            for name, column in (("at", "e.at"), ("state", "e.state"), ("text", "e.text"))
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("shipments") as batch_op:
        batch_op.drop_column("last_event_text")
        batch_op.drop_column("last_event_state")
        batch_op.drop_column("last_event_at")
