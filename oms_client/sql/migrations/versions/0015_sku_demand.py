"""paid-but-unshipped demand per SKU, kept by triggers, so the oversell scan reads one row per SKU; the
transit scan's parcels indexed by courier and stall time, and troubled ones on their own

Revision ID: 0015
Revises: 0014

Demand changes whenever an order enters or leaves `paid`, or a paid order's lines change, by whatever
writes them (the store, an import, a person with psql): triggers see every such write in its own
transaction, so the count cannot drift from the orders. PostgreSQL's triggers run once per statement
over its transition tables (a bulk import is one aggregate, not a call per line); SQLite's run per row.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

ADD = "ON CONFLICT (sku) DO UPDATE SET committed = sku_demand.committed + excluded.committed"
PAID_LINES = "SELECT l.sku, {sign}l.qty AS qty FROM {lines} l JOIN orders o ON o.id = l.order_id WHERE o.state = 'paid'"
# PostgreSQL: (trigger, table, event, transition tables, the rows whose quantities count, signed)
PG_TRIGGERS = [
    (
        "sku_demand_lines_added",
        "order_lines",
        "INSERT",
        "NEW TABLE AS added",
        PAID_LINES.format(sign="", lines="added"),
    ),
    (
        "sku_demand_lines_removed",
        "order_lines",
        "DELETE",
        "OLD TABLE AS removed",
        PAID_LINES.format(sign="-", lines="removed"),
    ),
    (
        "sku_demand_lines_changed",
        "order_lines",
        "UPDATE",
        "OLD TABLE AS before NEW TABLE AS after",
        PAID_LINES.format(sign="", lines="after") + " UNION ALL " + PAID_LINES.format(sign="-", lines="before"),
    ),
    (
        "sku_demand_orders_changed",
        "orders",
        "UPDATE",
        "OLD TABLE AS before NEW TABLE AS after",
        "SELECT l.sku, CASE WHEN a.state = 'paid' THEN l.qty ELSE -l.qty END AS qty"
        " FROM before b JOIN after a ON a.id = b.id JOIN order_lines l ON l.order_id = a.id"
        " WHERE (b.state = 'paid') <> (a.state = 'paid')",
    ),
]
SQLITE_PAID = "(SELECT state FROM orders WHERE id = {row}.order_id) = 'paid'"
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER sku_demand_lines_added AFTER INSERT ON order_lines WHEN {SQLITE_PAID.format(row="NEW")}
    BEGIN INSERT INTO sku_demand (sku, committed) VALUES (NEW.sku, NEW.qty) {ADD}; END""",
    f"""CREATE TRIGGER sku_demand_lines_removed AFTER DELETE ON order_lines WHEN {SQLITE_PAID.format(row="OLD")}
    BEGIN INSERT INTO sku_demand (sku, committed) VALUES (OLD.sku, -OLD.qty) {ADD}; END""",
    f"""CREATE TRIGGER sku_demand_lines_changed AFTER UPDATE OF sku, qty, order_id ON order_lines
    BEGIN
        INSERT INTO sku_demand (sku, committed) SELECT OLD.sku, -OLD.qty WHERE {SQLITE_PAID.format(row="OLD")} {ADD};
        INSERT INTO sku_demand (sku, committed) SELECT NEW.sku, NEW.qty WHERE {SQLITE_PAID.format(row="NEW")} {ADD};
    END""",
    f"""CREATE TRIGGER sku_demand_orders_changed AFTER UPDATE OF state ON orders
    WHEN (OLD.state = 'paid') <> (NEW.state = 'paid')
    BEGIN
        INSERT INTO sku_demand (sku, committed)
        SELECT sku, CASE WHEN NEW.state = 'paid' THEN sum(qty) ELSE -sum(qty) END FROM order_lines
        WHERE order_id = NEW.id GROUP BY sku {ADD};
    END""",
]


def _summed(rows: str) -> str:
    return f"SELECT sku, sum(qty) FROM ({rows}) delta GROUP BY sku"


def _index_parcels() -> None:
    op.drop_index("ix_shipments_open_last_event", table_name="shipments")
    on_the_way = sa.text("last_event_state <> 'signed'")
    op.create_index(
        "ix_shipments_open_courier_last_event",
        "shipments",
        ["courier", "last_event_at"],
        sqlite_where=on_the_way,
        postgresql_where=on_the_way,
    )
    troubled = sa.text("last_event_state IN ('exception', 'returned')")
    op.create_index(
        "ix_shipments_troubled", "shipments", ["last_event_state"], sqlite_where=troubled, postgresql_where=troubled
    )


def upgrade() -> None:
    op.create_table(
        "sku_demand",
        sa.Column("sku", sa.String(length=40), nullable=False),
        sa.Column("committed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("sku", name=op.f("pk_sku_demand")),
    )
    op.create_index("ix_orders_state_created", "orders", ["state", "created_at"])
    _index_parcels()
    op.execute(f"INSERT INTO sku_demand (sku, committed) {_summed(PAID_LINES.format(sign='', lines='order_lines'))}")
    if op.get_bind().dialect.name == "postgresql":
        for name, table, event, tables, delta in PG_TRIGGERS:
            op.execute(
                f"""CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO sku_demand (sku, committed) {_summed(delta)} {ADD};
                    RETURN NULL;
                END $$"""
            )
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {tables} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, table, *_ in PG_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql else ""))
        if postgresql:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_index("ix_orders_state_created", table_name="orders")
    op.drop_index("ix_shipments_troubled", table_name="shipments")
    op.drop_index("ix_shipments_open_courier_last_event", table_name="shipments")
    on_the_way = sa.text("last_event_state <> 'signed'")
    op.create_index(
        "ix_shipments_open_last_event",
        "shipments",
        ["last_event_at"],
        sqlite_where=on_the_way,
        postgresql_where=on_the_way,
    )
    op.drop_table("sku_demand")
