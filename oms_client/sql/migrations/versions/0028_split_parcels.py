"""split and merged parcels (拆单合单): each order line knows the parcel that carries it; a partly shipped order is
`part_shipped`, and its lines still waiting keep their demand on stock

Revision ID: 0028
Revises: 0027

A line with no parcel is waiting (or, when none of its order's lines names one, travels in whichever parcel the
order has: parcels recorded before this revision carried whole orders). Demand per SKU now counts the lines
still waiting in paid and part-shipped orders, so the triggers of 0015 are redefined with that condition: they
still see every write, now including a line being given its parcel.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

ADD = "ON CONFLICT (sku) DO UPDATE SET committed = sku_demand.committed + excluded.committed"
NOW_WAITING = ("('paid', 'part_shipped')", "{row}.shipment_id IS NULL")
BEFORE = ("('paid')", "TRUE")  # 0015's: every line of a paid order


def _pg(states: str, line_waits: str) -> list[tuple[str, str]]:
    """Each PostgreSQL trigger function of 0015 (its trigger, bound to it, stays) and the signed quantities it adds
    from its statement's transition tables."""
    lines = (
        "SELECT l.sku, {sign}l.qty AS qty FROM {lines} l JOIN orders o ON o.id = l.order_id"
        f" WHERE o.state IN {states} AND " + line_waits.format(row="l")
    )
    return [
        ("sku_demand_lines_added", lines.format(sign="", lines="added")),
        ("sku_demand_lines_removed", lines.format(sign="-", lines="removed")),
        ("sku_demand_lines_changed",
         lines.format(sign="", lines="after") + " UNION ALL " + lines.format(sign="-", lines="before")),
        ("sku_demand_orders_changed",
         f"SELECT l.sku, CASE WHEN a.state IN {states} THEN l.qty ELSE -l.qty END AS qty"
         " FROM before b JOIN after a ON a.id = b.id JOIN order_lines l ON l.order_id = a.id"
         f" WHERE (b.state IN {states}) <> (a.state IN {states}) AND " + line_waits.format(row="l")),
    ]  # fmt: skip


def _sqlite(states: str, line_waits: str) -> list[str]:
    counts = f"(SELECT state FROM orders WHERE id = {{row}}.order_id) IN {states} AND {line_waits}"
    old, new = counts.format(row="OLD"), counts.format(row="NEW")
    return [
        f"""CREATE TRIGGER sku_demand_lines_added AFTER INSERT ON order_lines WHEN {new}
        BEGIN INSERT INTO sku_demand (sku, committed) VALUES (NEW.sku, NEW.qty) {ADD}; END""",
        f"""CREATE TRIGGER sku_demand_lines_removed AFTER DELETE ON order_lines WHEN {old}
        BEGIN INSERT INTO sku_demand (sku, committed) VALUES (OLD.sku, -OLD.qty) {ADD}; END""",
        f"""CREATE TRIGGER sku_demand_lines_changed AFTER UPDATE OF sku, qty, order_id, shipment_id ON order_lines
        BEGIN
            INSERT INTO sku_demand (sku, committed) SELECT OLD.sku, -OLD.qty WHERE {old} {ADD};
            INSERT INTO sku_demand (sku, committed) SELECT NEW.sku, NEW.qty WHERE {new} {ADD};
        END""",
        f"""CREATE TRIGGER sku_demand_orders_changed AFTER UPDATE OF state ON orders
        WHEN (OLD.state IN {states}) <> (NEW.state IN {states})
        BEGIN
            INSERT INTO sku_demand (sku, committed)
            SELECT sku, CASE WHEN NEW.state IN {states} THEN sum(qty) ELSE -sum(qty) END FROM order_lines
            WHERE order_id = NEW.id AND {line_waits.format(row="order_lines")} GROUP BY sku {ADD};
        END""",
    ]


def _define(states: str, line_waits: str) -> None:
    """The triggers (replacing what was there) and the demand they keep, counted again from the orders."""
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        for name, delta in _pg(states, line_waits):
            op.execute(
                f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO sku_demand (sku, committed)
                    SELECT sku, sum(qty) FROM ({delta}) delta GROUP BY sku {ADD};
                    RETURN NULL;
                END $$"""
            )
    else:
        _drop_sqlite_triggers()
        for statement in _sqlite(states, line_waits):
            op.execute(statement)
    op.execute("DELETE FROM sku_demand")
    waiting = (
        f"SELECT l.sku, sum(l.qty) FROM order_lines l JOIN orders o ON o.id = l.order_id"
        f" WHERE o.state IN {states} AND {line_waits.format(row='l')} GROUP BY l.sku"
    )
    op.execute(f"INSERT INTO sku_demand (sku, committed) {waiting}")


def _drop_sqlite_triggers() -> None:
    """SQLite's: its ALTER TABLE rebuilds order_lines, which a trigger naming the table would refuse."""
    if op.get_bind().dialect.name != "postgresql":
        for name, _ in _pg(*BEFORE):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def upgrade() -> None:
    _drop_sqlite_triggers()
    with op.batch_alter_table("order_lines") as batch:
        batch.add_column(sa.Column("shipment_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_order_lines_shipment_id_shipments"), "shipments", ["shipment_id"], ["id"])
    op.create_index("ix_order_lines_shipment_id", "order_lines", ["shipment_id"])
    _define(*NOW_WAITING)


def downgrade() -> None:
    _drop_sqlite_triggers()
    op.drop_index("ix_order_lines_shipment_id", "order_lines")
    with op.batch_alter_table("order_lines") as batch:
        batch.drop_constraint(op.f("fk_order_lines_shipment_id_shipments"), type_="foreignkey")
        batch.drop_column("shipment_id")
    _define(*BEFORE)
