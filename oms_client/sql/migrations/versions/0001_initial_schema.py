"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 02:11:04.169120
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import oms_client.sql.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", oms_client.sql.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("subject_type", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_subject", ["subject_type", "subject_id"], unique=False)

    op.create_table(
        "conversations",
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", oms_client.sql.types.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_conversations")),
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("created_at", oms_client.sql.types.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customers_phone"), ["phone"], unique=False)

    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_meta")),
    )
    op.create_table(
        "skus",
        sa.Column("sku", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.PrimaryKeyConstraint("sku", name=op.f("pk_skus")),
    )
    op.create_table(
        "verification_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("order_no", sa.String(length=40), nullable=False),
        sa.Column("at", oms_client.sql.types.AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_failures")),
    )
    with op.batch_alter_table("verification_failures", schema=None) as batch_op:
        batch_op.create_index("ix_verification_failures_order", ["order_no", "at"], unique=False)
        batch_op.create_index("ix_verification_failures_user", ["channel", "user_id", "at"], unique=False)

    op.create_table(
        "warehouses",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("city", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_warehouses")),
    )
    op.create_table(
        "chat_bindings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("created_at", oms_client.sql.types.AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_chat_bindings_customer_id_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_bindings")),
        sa.UniqueConstraint("channel", "user_id", "customer_id", name="uq_chat_bindings_who"),
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("order_no", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_at", oms_client.sql.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("paid_at", oms_client.sql.types.AwareDateTime(timezone=True), nullable=True),
        sa.Column("promised_ship_by", oms_client.sql.types.AwareDateTime(timezone=True), nullable=True),
        sa.Column("total", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("receiver_name", sa.String(length=64), nullable=False),
        sa.Column("receiver_phone", sa.String(length=20), nullable=False),
        sa.Column("receiver_province", sa.String(length=32), nullable=False),
        sa.Column("receiver_city", sa.String(length=32), nullable=False),
        sa.Column("receiver_district", sa.String(length=32), nullable=False),
        sa.Column("receiver_detail", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], name=op.f("fk_orders_customer_id_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("platform", "order_no", name="uq_orders_platform_order_no"),
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index("ix_orders_customer_created", ["customer_id", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_orders_order_no"), ["order_no"], unique=False)
        batch_op.create_index("ix_orders_state_ship_by", ["state", "promised_ship_by"], unique=False)

    op.create_table(
        "stock",
        sa.Column("sku", sa.String(length=40), nullable=False),
        sa.Column("warehouse", sa.String(length=16), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["sku"], ["skus.sku"], name=op.f("fk_stock_sku_skus")),
        sa.ForeignKeyConstraint(["warehouse"], ["warehouses.code"], name=op.f("fk_stock_warehouse_warehouses")),
        sa.PrimaryKeyConstraint("sku", "warehouse", name=op.f("pk_stock")),
    )
    op.create_table(
        "aftersales_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_at", oms_client.sql.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", oms_client.sql.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_aftersales_cases_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aftersales_cases")),
    )
    with op.batch_alter_table("aftersales_cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aftersales_cases_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_aftersales_cases_state"), ["state"], unique=False)

    op.create_table(
        "order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_order_lines_order_id_orders")),
        sa.ForeignKeyConstraint(["sku"], ["skus.sku"], name=op.f("fk_order_lines_sku_skus")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
    )
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_lines_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_lines_sku"), ["sku"], unique=False)

    op.create_table(
        "shipments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("warehouse", sa.String(length=16), nullable=False),
        sa.Column("courier", sa.String(length=8), nullable=False),
        sa.Column("tracking_no", sa.String(length=32), nullable=False),
        sa.Column("shipped_at", oms_client.sql.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("expected_delivery", oms_client.sql.types.AwareDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_shipments_order_id_orders")),
        sa.ForeignKeyConstraint(["warehouse"], ["warehouses.code"], name=op.f("fk_shipments_warehouse_warehouses")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
    )
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shipments_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_shipments_tracking_no"), ["tracking_no"], unique=False)

    op.create_table(
        "tracking_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("at", oms_client.sql.types.AwareDateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=64), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_tracking_events_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_events")),
    )
    with op.batch_alter_table("tracking_events", schema=None) as batch_op:
        batch_op.create_index("ix_tracking_events_shipment_at", ["shipment_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tracking_events", schema=None) as batch_op:
        batch_op.drop_index("ix_tracking_events_shipment_at")

    op.drop_table("tracking_events")
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipments_tracking_no"))
        batch_op.drop_index(batch_op.f("ix_shipments_order_id"))

    op.drop_table("shipments")
    with op.batch_alter_table("order_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_lines_sku"))
        batch_op.drop_index(batch_op.f("ix_order_lines_order_id"))

    op.drop_table("order_lines")
    with op.batch_alter_table("aftersales_cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aftersales_cases_state"))
        batch_op.drop_index(batch_op.f("ix_aftersales_cases_order_id"))

    op.drop_table("aftersales_cases")
    op.drop_table("stock")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index("ix_orders_state_ship_by")
        batch_op.drop_index(batch_op.f("ix_orders_order_no"))
        batch_op.drop_index("ix_orders_customer_created")

    op.drop_table("orders")
    op.drop_table("chat_bindings")
    op.drop_table("warehouses")
    with op.batch_alter_table("verification_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_verification_failures_user")
        batch_op.drop_index("ix_verification_failures_order")

    op.drop_table("verification_failures")
    op.drop_table("skus")
    op.drop_table("meta")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customers_phone"))

    op.drop_table("customers")
    op.drop_table("conversations")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_subject")

    op.drop_table("audit_log")
