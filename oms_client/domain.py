"""The order store's domain values, as handlers see them.

Frozen dataclasses rather than ORM rows, so that an external OMS can hand back the same shapes and no
caller can lazily load (and block on) the database by touching an attribute.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from oms_client.case_rules import CaseKind, CaseState


class Platform(StrEnum):
    TAOBAO = "taobao"
    TMALL = "tmall"
    JD = "jd"
    PDD = "pdd"
    DOUYIN = "douyin"
    WXSHOP = "wxshop"
    POS = "pos"


class OrderState(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    DEPOSIT_PAID = "deposit_paid"  # a presale (预售) order: 定金 paid, 尾款 not yet
    BALANCE_OVERDUE = "balance_overdue"  # a presale order whose 尾款 was not paid by its deadline: it will not ship
    PAID = "paid"
    PART_SHIPPED = "part_shipped"  # some lines are on their way in parcels (拆单), the rest still wait
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    CLOSED = "closed"


def order_key(platform: str, order_no: str) -> str:
    """`taobao:3891…`: an order by its natural key, as audit rows, alerts, notices and outbound events name it."""
    return f"{platform}:{order_no}"


class OrderInChat:
    """Something about one order for one chat (a notice, an offer): its keys as alerts, notices and bindings
    name them. Mixed into frozen dataclasses that have these four fields."""

    channel: str
    user_id: str
    platform: str
    order_no: str

    @property
    def order_key(self) -> str:
        return order_key(self.platform, self.order_no)

    @property
    def chat_key(self) -> str:
        return f"{self.channel}:{self.user_id}"


# A presale order before its balance: it cannot ship, and is answered by its presale terms.
BEFORE_BALANCE = frozenset({OrderState.DEPOSIT_PAID, OrderState.BALANCE_OVERDUE})
# Paid with lines still to hand to a courier: a shipping promise to keep, and demand on stock.
TO_SHIP = frozenset({OrderState.PAID, OrderState.PART_SHIPPED})
# With parcels on their way that the transit scans watch.
ON_THE_WAY = frozenset({OrderState.SHIPPED, OrderState.PART_SHIPPED})
# Not yet handed to a courier: a cancel or a new address is still the shop's to make.
UNSHIPPED = frozenset(
    {OrderState.PENDING_PAYMENT, OrderState.DEPOSIT_PAID, OrderState.BALANCE_OVERDUE, OrderState.PAID}
)


class TrackingState(StrEnum):
    COLLECTED = "collected"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    SIGNED = "signed"
    EXCEPTION = "exception"
    RETURNED = "returned"


class Courier(StrEnum):
    SF = "SF"
    ZTO = "ZTO"
    YTO = "YTO"
    YUNDA = "YD"
    STO = "STO"
    JT = "JT"
    EMS = "EMS"
    JD = "JD"


@dataclass(frozen=True)
class Receiver:
    name: str
    phone: str
    province: str
    city: str
    district: str
    detail: str


@dataclass(frozen=True)
class OrderLine:
    sku: str
    title: str
    qty: int
    unit_price: Decimal


@dataclass(frozen=True)
class TrackingEvent:
    at: datetime
    place: str
    text: str
    state: TrackingState


@dataclass(frozen=True)
class TransitTime:
    """How long parcels like one took from dispatch to signature, learned from the shop's own delivered
    parcels: on its route (courier, warehouse, receiver's province), or with too few there the courier's, or
    all of them (`level`)."""

    level: str  # route, courier or overall
    samples: int
    p25: timedelta
    p50: timedelta
    p75: timedelta
    p90: timedelta


@dataclass(frozen=True)
class Shipment:
    courier: Courier
    tracking_no: str
    shipped_at: datetime
    expected_delivery: datetime | None
    events: tuple[TrackingEvent, ...] = ()
    intercept_requested_at: datetime | None = None  # the shop approved stopping it on its way
    usual: TransitTime | None = None  # how long parcels like it took, when the shop has delivered enough
    lines: tuple[OrderLine, ...] = ()  # what it carries when its order ships in several; () the whole order

    @property
    def signed(self) -> bool:
        latest = self.latest_event
        return latest is not None and latest.state is TrackingState.SIGNED

    @property
    def latest_event(self) -> TrackingEvent | None:
        return max(self.events, key=lambda e: e.at) if self.events else None

    @property
    def eta(self) -> datetime | None:
        """When it should arrive: as the route's parcels usually do (their median), else as stored."""
        return self.shipped_at + self.usual.p50 if self.usual else self.expected_delivery

    def running_late(self, now: datetime) -> bool:
        """Longer on its way than nine in ten of its route's parcels took."""
        return self.usual is not None and now > self.shipped_at + self.usual.p90


@dataclass(frozen=True)
class Hold:
    """An order the automatic review (自动审单) stopped before shipping until a person looks: why, since when,
    and by when the customer was told it would be done."""

    reason: str
    since: datetime
    until: datetime


@dataclass(frozen=True)
class Presale:
    """A presale (预售) order's terms: the deposit (定金) paid at checkout, the window in which the balance (尾款)
    is paid, and the shipping promise counted from the balance ("付尾款后 15 天内发货"); a shop that promises a
    date instead has it as the order's `promised_ship_by`. The balance's payment is the order's `paid_at`."""

    deposit: Decimal | None = None  # unknown where the source only says the deposit is paid
    balance_from: datetime | None = None
    balance_due: datetime | None = None
    ship_days: int | None = None

    def balance_open(self, now: datetime) -> bool:
        return (self.balance_from is None or now >= self.balance_from) and not self.balance_late(now)

    def balance_late(self, now: datetime) -> bool:
        return self.balance_due is not None and now > self.balance_due


@dataclass(frozen=True)
class Order:
    platform: Platform
    order_no: str
    state: OrderState
    customer_id: int
    created_at: datetime
    paid_at: datetime | None
    promised_ship_by: datetime | None
    total: Decimal
    receiver: Receiver
    lines: tuple[OrderLine, ...] = ()
    shipments: tuple[Shipment, ...] = field(default=())
    hold: Hold | None = None
    presale: Presale | None = None

    @property
    def item_count(self) -> int:
        return sum(line.qty for line in self.lines)

    @property
    def split(self) -> bool:
        """Shipped in parcels that each carry some of its lines (拆单), rather than one parcel for it all."""
        return any(shipment.lines for shipment in self.shipments)

    def parcels_carrying(self, skus: Collection[str]) -> tuple[Shipment, ...]:
        """The parcels these lines travelled in: those that carry them when it shipped in several, else all."""
        if not self.split:
            return self.shipments
        return tuple(s for s in self.shipments if any(line.sku in skus for line in s.lines))

    @property
    def waiting_lines(self) -> tuple[OrderLine, ...]:
        """The lines no parcel carries yet, of an order that ships in several."""
        if not self.split:
            return ()
        carried, waiting = [line for shipment in self.shipments for line in shipment.lines], []
        for line in self.lines:
            if line in carried:
                carried.remove(line)  # each carried line once: an order may hold two alike
            else:
                waiting.append(line)
        return tuple(waiting)

    def is_ship_late(self, now: datetime) -> bool:
        """Late means paid, not yet (or only partly) handed to a courier, and past the promise made at checkout; a
        held order's promise starts again when it is released."""
        paid = self.state in TO_SHIP and self.hold is None
        return paid and self.promised_ship_by is not None and now > self.promised_ship_by


@dataclass(frozen=True)
class SampleOrder:
    """An order a newcomer can try in chat: what `xiaoer seed` prints at the end."""

    platform: Platform
    order_id: str
    state: OrderState
    phone_tail: str
    courier: str | None
    tracking_no: str | None
    note: str = ""  # what makes it worth trying: 审核中, 分 2 个包裹, 缺货


@dataclass(frozen=True)
class Case:
    """An after-sales case as agents and customers see it; `version` is what a change must name."""

    id: int
    platform: Platform
    order_no: str
    kind: CaseKind
    state: CaseState
    reason: str
    version: int
    created_at: datetime
    updated_at: datetime
    filed_by: str | None = None
    assignee: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


class HandoffState(StrEnum):
    WAITING = "waiting"  # queued for the next free agent
    ACTIVE = "active"  # an agent holds the chat; the bot only relays
    ENDED = "ended"  # back with the bot


@dataclass(frozen=True)
class Handoff:
    """A customer's chat handed to a person; `chat_key` ("web:v1") is where the agent's words go."""

    id: int
    chat_key: str
    lang: str
    reason: str
    state: HandoffState
    created_at: datetime
    summary: dict[str, Any] = field(default_factory=dict)
    agent_id: str | None = None
    agent_chat: str | None = None
    claimed_at: datetime | None = None


@dataclass(frozen=True)
class NluCandidate:
    """A customer message kept to learn from (numbers replaced by placeholders), what it was read as, why it was
    kept (unsure, misunderstood) and the intent an agent gave it."""

    id: int
    text: str
    predicted: str
    confidence: float
    why: str
    label: str | None = None


class CaseNotFound(LookupError):
    pass


class StaleCase(Exception):
    """Someone changed the case after the caller looked at it; `current` is the case as it is now."""

    def __init__(self, current: Case) -> None:
        super().__init__(f"case {current.id} is now {current.state} (version {current.version})")
        self.current = current


class CaseEffectRefused(Exception):
    """Approving would do what the order no longer allows (a cancel of an order that has shipped meanwhile):
    nothing changed. `order_state` is where the order is now."""

    def __init__(self, case: Case, order_state: OrderState) -> None:
        super().__init__(f"case {case.id}: order {case.order_no} is {order_state}")
        self.case, self.order_state = case, order_state


class DuplicateCase(Exception):
    """The order already has an open case of this kind; `existing` is that case."""

    def __init__(self, existing: Case) -> None:
        super().__init__(f"order {existing.order_no} already has {existing.kind} case {existing.id}")
        self.existing = existing


class HandoffNotFound(LookupError):
    pass


class HandoffTaken(Exception):
    """The hand-off is no longer where the caller saw it (another agent claimed or ended it); `current` says how."""

    def __init__(self, current: Handoff) -> None:
        super().__init__(f"hand-off {current.id} is {current.state} ({current.agent_id})")
        self.current = current
