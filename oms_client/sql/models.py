"""SQLAlchemy tables of the order store. Only `oms_client` imports this module."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from oms_client.sql.types import AwareDateTime

# Named constraints keep alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: AwareDateTime(), dict[str, Any]: JSON()}


class CustomerRow(Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[datetime]


class OrderRow(Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("platform", "order_no", name="uq_orders_platform_order_no"),
        Index("ix_orders_customer_created", "customer_id", "created_at"),
        Index("ix_orders_state_ship_by", "state", "promised_ship_by"),
        Index("ix_orders_state_created", "state", "created_at"),  # the newest orders of a state
        # Orders the automatic review has not looked at yet: the few newest, never the reviewed millions.
        Index(
            "ix_orders_unreviewed",
            "id",
            sqlite_where=text("reviewed_at IS NULL"),
            postgresql_where=text("reviewed_at IS NULL"),
        ),
        Index("ix_orders_receiver_detail", "receiver_detail"),  # the review's "many orders to one address"
        Index(
            "ix_orders_held",
            "held_since",
            sqlite_where=text("held_since IS NOT NULL"),
            postgresql_where=text("held_since IS NOT NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    order_no: Mapped[str] = mapped_column(String(32), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    state: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    paid_at: Mapped[datetime | None] = mapped_column(index=True)  # a report's period of sales
    promised_ship_by: Mapped[datetime | None]
    total: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    receiver_name: Mapped[str] = mapped_column(String(64))
    receiver_phone: Mapped[str] = mapped_column(String(20))
    receiver_province: Mapped[str] = mapped_column(String(32))
    receiver_city: Mapped[str] = mapped_column(String(32))
    receiver_district: Mapped[str] = mapped_column(String(32))
    receiver_detail: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1)
    buyer_note: Mapped[str] = mapped_column(String(500), default="", server_default="")  # the buyer's message
    # The automatic review (自动审单): when it looked, and while an order is held, since when, why, and by when
    # the customer was told it would be done.
    reviewed_at: Mapped[datetime | None]
    held_since: Mapped[datetime | None]
    hold_reason: Mapped[str | None] = mapped_column(String(200))
    hold_until: Mapped[datetime | None]
    # A presale (预售) order's terms: its deposit (where the source gives it), the balance's window, and the days
    # from the balance's payment to dispatch.
    presale: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    presale_deposit: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    balance_from: Mapped[datetime | None]
    balance_due: Mapped[datetime | None]
    presale_ship_days: Mapped[int | None]
    lines: Mapped[list[OrderLineRow]] = relationship(lazy="raise", order_by="OrderLineRow.id")
    shipments: Mapped[list[ShipmentRow]] = relationship(lazy="raise", order_by="ShipmentRow.id")


class OrderLineRow(Base):
    __tablename__ = "order_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    sku: Mapped[str] = mapped_column(ForeignKey("skus.sku"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    qty: Mapped[int]
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    # The parcel that carries it when its order ships in several (拆单); NULL while it waits, or when no line of
    # its order names a parcel (then the order's parcels carry the whole of it).
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id"), index=True)


class SkuRow(Base):
    __tablename__ = "skus"
    sku: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    # The product whose variant it is (a colour, a size): its siblings are what a customer may switch to.
    product: Mapped[str | None] = mapped_column(String(40), index=True)


class WarehouseRow(Base):
    __tablename__ = "warehouses"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    city: Mapped[str] = mapped_column(String(32))


class SkuDemandRow(Base):
    """Paid-but-unshipped quantity per SKU (the lines still waiting in paid and part-shipped orders), kept by
    triggers on orders and lines (migrations 0015, 0028)."""

    __tablename__ = "sku_demand"
    sku: Mapped[str] = mapped_column(String(40), primary_key=True)
    committed: Mapped[int]


class StockRow(Base):
    __tablename__ = "stock"
    sku: Mapped[str] = mapped_column(ForeignKey("skus.sku"), primary_key=True)
    warehouse: Mapped[str] = mapped_column(ForeignKey("warehouses.code"), primary_key=True)
    on_hand: Mapped[int]
    reserved: Mapped[int] = mapped_column(default=0)
    restock_at: Mapped[datetime | None]  # when more is expected here, where the seller's system says


class ShipmentRow(Base):
    __tablename__ = "shipments"
    __table_args__ = (
        # Parcels still on their way, by courier: the transit scan reads one range of each courier's (its own
        # stall limit), never the delivered majority nor the parcels that are merely on their way.
        Index(
            "ix_shipments_open_courier_last_event",
            "courier",
            "last_event_at",
            sqlite_where=text("last_event_state <> 'signed'"),
            postgresql_where=text("last_event_state <> 'signed'"),
        ),
        Index(
            "ix_shipments_troubled",
            "last_event_state",
            sqlite_where=text("last_event_state IN ('exception', 'returned')"),
            postgresql_where=text("last_event_state IN ('exception', 'returned')"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    warehouse: Mapped[str] = mapped_column(ForeignKey("warehouses.code"))
    courier: Mapped[str] = mapped_column(String(8))
    tracking_no: Mapped[str] = mapped_column(String(32), index=True)
    shipped_at: Mapped[datetime] = mapped_column(index=True)  # a report's period of parcels
    expected_delivery: Mapped[datetime | None]
    # The latest tracking event, kept on the shipment so the transit scan never groups all events.
    last_event_at: Mapped[datetime | None]
    last_event_state: Mapped[str | None] = mapped_column(String(20))
    last_event_text: Mapped[str | None] = mapped_column(String(200))
    intercept_requested_at: Mapped[datetime | None]  # an approved intercept, for the warehouse and the courier
    subscribed_at: Mapped[datetime | None]  # the tracking provider pushes this waybill's scans
    events: Mapped[list[TrackingEventRow]] = relationship(lazy="raise", order_by="TrackingEventRow.at")


class TransitTimeRow(Base):
    """How long this shop's delivered parcels took (hours from dispatch to signature), learned per route: a
    courier from a warehouse to a province, per courier (origin and destination ''), and overall (all '')."""

    __tablename__ = "transit_times"
    courier: Mapped[str] = mapped_column(String(8), primary_key=True)
    origin: Mapped[str] = mapped_column(String(16), primary_key=True)  # the warehouse it left
    destination: Mapped[str] = mapped_column(String(32), primary_key=True)  # the receiver's province
    samples: Mapped[int] = mapped_column(Integer)
    p25_hours: Mapped[float]
    p50_hours: Mapped[float]
    p75_hours: Mapped[float]
    p90_hours: Mapped[float]
    learned_at: Mapped[datetime]


class TrackingEventRow(Base):
    __tablename__ = "tracking_events"
    __table_args__ = (Index("ix_tracking_events_shipment_at", "shipment_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"))
    at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20))


class AfterSalesCaseRow(Base):
    """A customer's after-sales request and where it stands; `version` turns concurrent agents into one winner."""

    __tablename__ = "aftersales_cases"
    __table_args__ = (
        # One open request of a kind per order: filing it twice (a double tap, two chats) files it once.
        Index(
            "uq_aftersales_open",
            "order_id",
            "kind",
            unique=True,
            sqlite_where=text("state NOT IN ('rejected', 'closed')"),
            postgresql_where=text("state NOT IN ('rejected', 'closed')"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), index=True)
    reason: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The chat that filed it ("telegram:123"), told of every step; none for cases from a platform import.
    filed_by: Mapped[str | None] = mapped_column(String(160))
    # What the customer gave: items, photos, the new address, the return waybill, the agents' questions.
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default=text("'{}'"))
    assignee: Mapped[str | None] = mapped_column(String(80))


class AuditLogRow(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_subject", "subject_type", "subject_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]]


class ChatBindingRow(Base):
    """A chat user who has proved they hold the receiver phone of one of a customer's orders: it opens that
    customer's orders to that phone (`oms_client.proofs`)."""

    __tablename__ = "chat_bindings"
    __table_args__ = (
        UniqueConstraint("channel", "user_id", "customer_id", "receiver_phone", name="uq_chat_bindings_proof"),
        Index("ix_chat_bindings_customer", "customer_id"),  # whom to tell of a customer's late order
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    receiver_phone: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


class VerificationFailureRow(Base):
    __tablename__ = "verification_failures"
    __table_args__ = (
        Index("ix_verification_failures_user", "channel", "user_id", "at"),
        Index("ix_verification_failures_order", "order_no", "at"),
        Index("ix_verification_failures_client", "client", "at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    order_no: Mapped[str] = mapped_column(String(40))
    client: Mapped[str | None] = mapped_column(String(64))  # the sender's address, where the channel knows it
    # A whole phone number was offered: not held to the order's cap of tail guesses.
    whole_phone: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    at: Mapped[datetime]


class ConversationRow(Base):
    __tablename__ = "conversations"
    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    state: Mapped[dict[str, Any]]
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]


class MetaRow(Base):
    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)


class AlertRow(Base):
    """One problem found by the scans; at most one not-yet-resolved alert per (kind, subject)."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index(
            "uq_alerts_open_subject",
            "kind",
            "subject",
            unique=True,
            sqlite_where=text("status != 'resolved'"),
            postgresql_where=text("status != 'resolved'"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(80))
    severity: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    detail: Mapped[dict[str, Any]]
    version: Mapped[int] = mapped_column(Integer, default=1)
    acked_by: Mapped[str | None] = mapped_column(String(80))
    acked_at: Mapped[datetime | None]
    assignee: Mapped[str | None] = mapped_column(String(80))
    snoozed_until: Mapped[datetime | None]
    escalation_level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    escalated_at: Mapped[datetime | None]


class OutboxRow(Base):
    """A message waiting to be pushed: written in the transaction that made it, sent by the relay."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index(
            "ix_outbox_pending",
            "target",
            "not_before",
            sqlite_where=text("sent_at IS NULL"),
            postgresql_where=text("sent_at IS NULL"),
        ),
        # Who heard of an alert, asked when it clears: the outbox keeps every message ever sent.
        Index("ix_outbox_alert", "alert_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    target: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24))
    severity: Mapped[str] = mapped_column(String(16))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"))
    payload: Mapped[dict[str, Any]]
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime]
    not_before: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    sent_at: Mapped[datetime | None]
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id"))
    # Outbound events only: what must arrive in order ("taobao:123" for an order's events).
    stream: Mapped[str | None] = mapped_column(String(120))


class DeliveryRow(Base):
    """One message that reached a target (a digest counts once): the shared budget of each target's rate limit."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_target_sent", "target", "sent_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    target: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime]
    items: Mapped[int] = mapped_column(Integer)


class DeadLetterRow(Base):
    """A message given up on after the relay's last attempt; kept, and itself reported."""

    __tablename__ = "dead_letters"
    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(Integer)
    target: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24))
    payload: Mapped[dict[str, Any]]
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime]
    died_at: Mapped[datetime]
    reported_at: Mapped[datetime | None]


class BudgetRow(Base):
    """How many uses a key (an upload, a hand-off, per visitor or address) has had in its current window."""

    __tablename__ = "budgets"
    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    window_start: Mapped[datetime]
    used: Mapped[int] = mapped_column(Integer)
    # Sliding budgets only: when the latest uses were (epoch seconds), at most `limit` of them.
    recent: Mapped[list[float] | None] = mapped_column(JSON)


class AccessTokenRow(Base):
    """A platform app's access token, one for every process (fetching a new one voids the others')."""

    __tablename__ = "access_tokens"
    app: Mapped[str] = mapped_column(String(120), primary_key=True)
    token: Mapped[str | None] = mapped_column(String(1024))
    expires_at: Mapped[datetime | None]
    # Set while one process fetches a new token; the others wait for it instead of fetching their own.
    refreshing_until: Mapped[datetime | None]


class ProcessRow(Base):
    """A serving process and until when it has said it is alive: a claim it holds is free once it stops."""

    __tablename__ = "processes"
    holder: Mapped[str] = mapped_column(String(80), primary_key=True)
    alive_until: Mapped[datetime]


class LeaseRow(Base):
    """Who leads a job among the processes that share the store, until when."""

    __tablename__ = "leases"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(80))
    expires_at: Mapped[datetime]


class JobRunRow(Base):
    """One row per job and interval: the primary key lets exactly one process run each interval."""

    __tablename__ = "job_runs"
    job: Mapped[str] = mapped_column(String(40), primary_key=True)
    slot: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    holder: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime]


class InboxRow(Base):
    """One delivery from a chat platform, stored before the platform hears it was received.

    The unique key makes a redelivery (WeChat retries, a Telegram update fetched twice) a no-op; rows of one
    chat are handled in id order by whichever process claims the oldest unhandled one.
    """

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("channel", "delivery_key", name="uq_inbox_delivery"),
        # A signed request's timestamp + nonce: the same pair with another delivery is a replay.
        Index("uq_inbox_replay", "channel", "replay_key", unique=True),
        Index(
            "ix_inbox_unhandled",
            "chat_key",
            "id",
            sqlite_where=text("handled_at IS NULL"),
            postgresql_where=text("handled_at IS NULL"),
        ),
        # When a chat's customer last wrote: WeChat's reply window opens from it, asked before every API send.
        Index("ix_inbox_chat_received", "chat_key", "received_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    delivery_key: Mapped[str] = mapped_column(String(128))
    chat_key: Mapped[str] = mapped_column(String(160))
    replay_key: Mapped[str | None] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]]
    received_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    handled_at: Mapped[datetime | None]


class OutgoingRow(Base):
    """A reply waiting for its chat: written with the inbox row it answers, sent in order, paced per chat."""

    __tablename__ = "outgoing"
    __table_args__ = (
        Index(
            "ix_outgoing_unsent",
            "send_at",
            sqlite_where=text("sent_at IS NULL"),
            postgresql_where=text("sent_at IS NULL"),
        ),
        Index("ix_outgoing_chat", "channel", "chat_id", "id"),
        Index("ix_outgoing_inbox", "inbox_id"),
        # Ids only grow, even after every row was purged or erased: a web page asks for replies after the
        # last id it saw, and SQLite would otherwise start again from 1.
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(128))
    # The delivery this answers (none for messages nobody asked for).
    inbox_id: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    send_at: Mapped[datetime]
    # Theoretical arrival time of the chat's pacing (GCRA) after this message; the next one starts from it.
    pace_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    sent_at: Mapped[datetime | None]
    # Sent as the HTTP answer to the delivery (WeChat's passive reply) rather than through the send API.
    passive: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    failed_at: Mapped[datetime | None]
    # The platform takes nothing more for this chat until the customer writes again (WeChat's 48-hour
    # window): kept, holding back the chat's later replies, and due again with the customer's next message.
    awaits_customer: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class CursorRow(Base):
    """Where a pulled feed was read up to (WeCom 微信客服's sync_msg), so a restart neither skips nor rereads."""

    __tablename__ = "cursors"
    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))
    updated_at: Mapped[datetime]


class MediaRow(Base):
    """A picture a web chat visitor sent (after-sales evidence); only that visitor's chat may read it back."""

    __tablename__ = "media"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(160))
    mime: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    # When a message first carried it; a web upload no message ever used is deleted soon after.
    used_at: Mapped[datetime | None]


class HandoffRow(Base):
    """A customer's chat handed to a person: waiting for an agent, held by one, then given back to the bot.

    At most one open hand-off per chat (the partial unique index), so a customer asking twice, or two
    processes escalating at once, queue one request.
    """

    __tablename__ = "handoffs"
    __table_args__ = (
        Index(
            "uq_handoffs_open",
            "chat_key",
            unique=True,
            sqlite_where=text("state != 'ended'"),
            postgresql_where=text("state != 'ended'"),
        ),
        Index("ix_handoffs_state", "state", "id"),
        Index("ix_handoffs_agent", "agent_id", "state"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    chat_key: Mapped[str] = mapped_column(String(160))  # the customer's chat ("web:v1"), where replies go
    lang: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(20))  # human_agent, complaint, misunderstood
    # What the agent needs first: the order talked about, the last turns, what came in while waiting.
    summary: Mapped[dict[str, Any]]
    state: Mapped[str] = mapped_column(String(10))  # waiting, active, ended
    agent_id: Mapped[str | None] = mapped_column(String(64))
    agent_chat: Mapped[str | None] = mapped_column(String(160))  # where the agent's relayed messages go
    created_at: Mapped[datetime]
    # When the customer was told someone would answer: at once in service hours, else the next opening.
    # A wait is measured from here (the hand-off alert), so a night's queue is not late at midnight.
    expected_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    # The agent's session their untargeted messages go to is the one focused last.
    focused_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[str | None] = mapped_column(String(80))


class CustomerNoticeRow(Base):
    """A customer told, unasked, that their order is late or their parcel stuck: once per order per shop day,
    so a problem that lasts a week is mentioned daily, not at every scan."""

    __tablename__ = "customer_notices"
    __table_args__ = (UniqueConstraint("order_key", "day", name="uq_customer_notices_order_day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    order_key: Mapped[str] = mapped_column(String(80))  # "platform:order_no", as alerts name orders
    day: Mapped[str] = mapped_column(String(10))  # the shop's calendar day, YYYY-MM-DD
    kind: Mapped[str] = mapped_column(String(32))  # the alert kind that prompted it
    chat_key: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[datetime]


class OversellOfferRow(Base):
    """A customer told that an item of their order was oversold, with choices (wait, switch variant, cancel):
    once per order and SKU, and what they chose (the case it opened), and whether a waiting one heard of the
    restock."""

    __tablename__ = "oversell_offers"
    __table_args__ = (UniqueConstraint("order_id", "sku", name="uq_oversell_offers_order_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    sku: Mapped[str] = mapped_column(String(40), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(128))
    restock_at: Mapped[datetime | None]  # as the customer was told
    told_at: Mapped[datetime]
    choice: Mapped[str | None] = mapped_column(String(16))  # wait, switch or cancel
    switch_to: Mapped[str | None] = mapped_column(String(40))
    case_id: Mapped[int | None]
    answered_at: Mapped[datetime | None]
    restock_told_at: Mapped[datetime | None]


class IntentCountRow(Base):
    """How many customer messages were read as each intent on a shop day, and how many of those without
    confidence (the bot asked back): no text, no chat, only counts."""

    __tablename__ = "intent_counts"
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD in the shop's zone
    intent: Mapped[str] = mapped_column(String(32), primary_key=True)
    unsure: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class NluCandidateRow(Base):
    """A customer message the bot was unsure of or misread, kept to learn from: its numbers replaced by
    placeholders, what it was read as, and the intent an agent labelled it with."""

    __tablename__ = "nlu_candidates"
    __table_args__ = (Index("ix_nlu_candidates_label", "label", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    chat_key: Mapped[str] = mapped_column(String(160))  # whose words: erased with the chat
    text: Mapped[str] = mapped_column(String(500))
    predicted: Mapped[str] = mapped_column(String(32))
    confidence: Mapped[float]
    why: Mapped[str] = mapped_column(String(16))  # unsure, misunderstood
    label: Mapped[str | None] = mapped_column(String(32))
    labelled_by: Mapped[str | None] = mapped_column(String(80))
    labelled_at: Mapped[datetime | None]
