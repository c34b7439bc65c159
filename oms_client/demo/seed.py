"""Deterministic synthetic data: `xiaoer seed` and `xiaoer serve --demo`.

The same seed and the same `now` give the same store, so a sample order printed in a README or a bug
report can be found again. Rows are built as plain dicts with their ids decided here and written in
bulk: 100,000 orders must load in well under a minute on SQLite.
"""

from __future__ import annotations

import itertools
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func, insert, select

from oms_client.demo import data
from oms_client.demo.cases import seed_cases
from oms_client.demo.numbers import order_number, waybill_number
from oms_client.domain import Courier, OrderState, Platform, SampleOrder, TrackingState
from oms_client.sql import models as m
from oms_client.sql.database import Database
from oms_client.stores.transit_times import SqlTransitTimes

SAMPLES_META_KEY = "demo_samples"
BATCH = 5_000

PLATFORM_WEIGHTS = {
    Platform.TAOBAO: 30,
    Platform.TMALL: 20,
    Platform.JD: 15,
    Platform.PDD: 15,
    Platform.DOUYIN: 12,
    Platform.WXSHOP: 5,
    Platform.POS: 3,
}
SHIP_SLA_HOURS = {Platform.JD: 24}
DEFAULT_SHIP_SLA_HOURS = 48
COURIER_WEIGHTS = {
    Courier.ZTO: 22,
    Courier.YTO: 18,
    Courier.YUNDA: 16,
    Courier.SF: 14,
    Courier.STO: 10,
    Courier.JT: 12,
    Courier.EMS: 4,
    Courier.JD: 4,
}
# How long parcels take, so the transit times learned from the seed look like a real shop's: days by how far
# the parcel goes (within the province, within its region, across the country, to a remote province), how much
# faster or slower each courier runs than the networks' average (SF and JD fly and drive their own; EMS is
# the postal network), a day-to-day spread, and a few parcels held a day or more at one station.
DAYS_BY_DISTANCE = {"province": 1.1, "region": 1.9, "country": 2.9, "remote": 4.6}
COURIER_PACE = {Courier.SF: 0.6, Courier.JD: 0.65, Courier.EMS: 1.25, Courier.JT: 1.05}
SPREAD = 0.22  # sigma of the log-normal spread around the usual time
HELD_SHARE, HELD_HOURS = 0.06, (20.0, 90.0)
PRESALE_STORIES = ("presale", "balance_overdue")
# Orders shipped in several parcels (拆单): the first item's parcel signed and the rest's on its way, or the first
# item's on its way and the rest still to ship.
SPLIT_STORIES = ("split", "part_shipped")
SHIPPED_STORIES = ("in_transit", "stalled", "exception", "delivered", "completed")
# (story, order state, weight): a story is what a newcomer might want to try.
STORIES = [
    ("unpaid", OrderState.PENDING_PAYMENT, 3),
    ("closed", OrderState.CLOSED, 4),
    ("cancelled", OrderState.CANCELLED, 7),
    ("paid", OrderState.PAID, 8),
    ("held", OrderState.PAID, 0.3),
    ("split", OrderState.SHIPPED, 1.0),
    ("part_shipped", OrderState.PART_SHIPPED, 0.5),
    ("presale", OrderState.DEPOSIT_PAID, 0.6),
    ("balance_overdue", OrderState.BALANCE_OVERDUE, 0.3),
    ("paid_late", OrderState.PAID, 2),
    ("in_transit", OrderState.SHIPPED, 15),
    ("stalled", OrderState.SHIPPED, 2),
    ("exception", OrderState.SHIPPED, 1),
    ("delivered", OrderState.DELIVERED, 13),
    ("completed", OrderState.COMPLETED, 45),
]

# A shop's history instead of the demo mix: orders come at a steady pace for many days, so most of a large
# store is long finished and only the last days' orders are open. Open stories weigh as many days of orders
# as their window holds (times the share of orders that end up there: about 1.5 % ship late, 1 % stall,
# 1 % meet an exception); cancelled and closed are shares of all orders; completed takes the rest.
HISTORY_DAYS_OF_ORDERS = {
    "unpaid": 0.005,
    "paid": 1.15,
    "held": 0.01,
    "split": 0.1,
    "part_shipped": 0.02,
    "presale": 0.03,
    "balance_overdue": 0.002,
    "paid_late": 0.025,
    "in_transit": 3.3,
    "stalled": 0.04,
    "exception": 0.03,
    "delivered": 5.2,
}
HISTORY_SHARES = {"cancelled": 0.05, "closed": 0.03}
MIN_HISTORY_DAYS = 30

SAMPLE_NOTES = {"held": "审核中", "split": "分 2 个包裹", "oversold": "缺货"}
# The order in which samples are offered: the most telling first.
SAMPLE_ORDER = (
    "in_transit",
    "paid_late",
    "paid",
    "stalled",
    "exception",
    "delivered",
    "completed",
    "unpaid",
    "cancelled",
    "closed",
    "held",
    "oversold",
    "split",
    "part_shipped",
    "presale",
    "balance_overdue",
)


@dataclass
class SeedResult:
    orders: int
    customers: int
    shipments: int
    tracking_events: int
    seconds: float
    samples: list[SampleOrder]


@dataclass
class _Rows:
    customers: list[dict[str, Any]] = field(default_factory=list)
    orders: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    shipments: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    stock: list[dict[str, Any]] = field(default_factory=list)
    samples: dict[str, SampleOrder] = field(default_factory=dict)
    cases: list[dict[str, Any]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class _Leg:
    """A parcel's trip: who carries it from where, how long it moves, and how long it is held on the way."""

    courier: Courier
    warehouse: str
    origin: str  # the warehouse's city
    moving_hours: float
    held_hours: float = 0.0
    held_at: float = 0.5  # the share of its moving time after which it is held

    @property
    def hours(self) -> float:
        return self.moving_hours + self.held_hours

    def offset(self, share: float) -> timedelta:
        """When the scan at `share` of the moving time comes, counting the hold."""
        held = self.held_hours if share > self.held_at else 0.0
        return timedelta(hours=share * self.moving_hours + held)


class StoreNotEmpty(Exception):
    """Seeding adds to nothing: mixing synthetic and real orders would corrupt a shop's figures."""

    def __init__(self, orders: int) -> None:
        super().__init__(f"the store already holds {orders} orders")
        self.orders = orders


async def seed_store(
    database: Database, *, orders: int, seed: int, now: datetime, history_days: float | None = None
) -> SeedResult:
    """The demo mix shows every story in a small store; `history_days` spreads the orders over that many
    days of steady trade instead, as a large store's table really looks (what the scan bench measures)."""
    if history_days is not None and history_days < MIN_HISTORY_DAYS:
        raise ValueError(f"a history spans at least {MIN_HISTORY_DAYS} days: its open orders alone span about 10")
    started = time.perf_counter()
    async with database.read.connect() as conn:
        existing = await conn.scalar(select(func.count()).select_from(m.OrderRow))
    if existing:
        raise StoreNotEmpty(existing)
    rows = _Generator(random.Random(seed), now, history_days).build(orders)
    await _write(database, rows)
    await _analyze(database)
    await SqlTransitTimes(database).learn(now)  # as the hourly job would, so the demo's ETAs are there at once
    return SeedResult(
        orders=len(rows.orders),
        customers=len(rows.customers),
        shipments=len(rows.shipments),
        tracking_events=len(rows.events),
        seconds=time.perf_counter() - started,
        samples=[rows.samples[story] for story in SAMPLE_ORDER if story in rows.samples],
    )


async def _analyze(database: Database) -> None:
    """Planner statistics for the bulk just written, as autovacuum would gather them a little later:
    without them the first scans plan for an empty store."""
    async with database.write.begin() as conn:
        # The store's own tables only: a bare ANALYZE would lock every table of every schema in the database.
        names = ", ".join(conn.dialect.identifier_preparer.quote(t.name) for t in m.Base.metadata.sorted_tables)
        await conn.execute(sa.text(f"ANALYZE {names}" if database.dialect == "postgresql" else "ANALYZE"))


async def _write(database: Database, rows: _Rows) -> None:
    tables: list[tuple[Any, list[dict[str, Any]]]] = [
        (m.WarehouseRow, [{"code": c, "name": n, "city": city} for c, n, city in data.WAREHOUSES]),
        (
            m.SkuRow,
            [
                {"sku": sku, "title": title, "price": price, "product": sku.split("-")[0]}
                for sku, title, price in _skus()
            ],
        ),
        (m.CustomerRow, rows.customers),
        (m.OrderRow, rows.orders),
        (m.StockRow, rows.stock),
        (m.ShipmentRow, rows.shipments),
        (m.OrderLineRow, rows.lines),  # after the parcels that carry them
        (m.TrackingEventRow, rows.events),
        (m.AfterSalesCaseRow, rows.cases),
        (m.AuditLogRow, rows.audit),
    ]
    samples = [
        rows.samples[story].__dict__
        | {"platform": str(rows.samples[story].platform), "state": str(rows.samples[story].state)}
        for story in SAMPLE_ORDER
        if story in rows.samples
    ]
    async with database.write.begin() as conn:
        for table, values in tables:
            for start in range(0, len(values), BATCH):
                await conn.execute(insert(table), values[start : start + BATCH])
        await conn.execute(insert(m.MetaRow), [{"key": SAMPLES_META_KEY, "value": {"samples": samples}}])
        if database.dialect == "postgresql":  # the rows named their ids: the next ones the store makes follow them
            for table, values in tables:
                if values and "id" in values[0]:
                    name = table.__tablename__
                    await conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                               f"(SELECT max(id) FROM {name}))"))  # fmt: skip


def _skus() -> list[tuple[str, str, Decimal]]:
    skus = []
    for prefix, title, price, variants in data.PRODUCTS:
        for index, variant in enumerate(variants, start=1):
            skus.append((f"{prefix}-{index:02d}", f"{title} {variant}", Decimal(price)))
    return skus


class _Generator:
    def __init__(self, rng: random.Random, now: datetime, history_days: float | None = None) -> None:
        self.rng = rng
        self.now = now
        self.days = history_days
        self.weights = [w for _, _, w in STORIES] if history_days is None else _history_weights(history_days)
        self.rows = _Rows()
        self.skus = _skus()
        self.used_numbers: set[tuple[Platform, str]] = set()
        self.signed: dict[int, datetime] = {}  # each delivered order's signature, for its after-sales

    def build(self, orders: int) -> _Rows:
        for customer_id in range(1, max(1, orders // 3) + 1):
            self._customer(customer_id)
        for order_id in range(1, orders + 1):
            self._order(order_id)
        self._stock()
        # Their own random stream, so the orders stay what they were before the demo had after-sales.
        cases_rng = random.Random(sum(self.rng.getstate()[1][:8]))
        self.rows.cases, self.rows.audit = seed_cases(cases_rng, self.rows.orders, self.signed, self.now)
        return self.rows

    def _name(self) -> str:
        given = "".join(self.rng.choice(data.GIVEN_CHARS) for _ in range(self.rng.choice((1, 2, 2))))
        return self.rng.choice(data.SURNAMES) + given

    def _phone(self) -> str:
        return "1" + self.rng.choice("3456789") + "".join(self.rng.choice("0123456789") for _ in range(9))

    def _address(self) -> dict[str, str]:
        province, city, district = self.rng.choice(data.PLACES)
        rng = self.rng
        detail = (
            f"{rng.choice(data.STREETS)}{rng.randint(1, 999)}号{rng.choice(data.COMPOUNDS)}"
            f"{rng.randint(1, 30)}幢{rng.randint(1, 4)}单元{rng.randint(1, 33)}{rng.randint(1, 4):02d}室"
        )
        return {
            "receiver_province": province,
            "receiver_city": city,
            "receiver_district": district,
            "receiver_detail": detail,
        }

    def _customer(self, customer_id: int) -> None:
        created = self.now - timedelta(days=self.rng.uniform(60, 900))
        self.rows.customers.append(
            {"id": customer_id, "name": self._name(), "phone": self._phone(), "created_at": created}
        )

    def _pick_customer(self) -> dict[str, Any]:
        # Skewed so that some customers have several orders, as regular buyers do.
        index = int(len(self.rows.customers) * self.rng.random() ** 1.6)
        return self.rows.customers[index]

    def _receiver(self, customer: dict[str, Any]) -> dict[str, Any]:
        own = self.rng.random() < 0.85
        return {
            "receiver_name": customer["name"] if own else self._name(),
            "receiver_phone": customer["phone"] if own else self._phone(),
            **self._address(),
        }

    def _order(self, order_id: int) -> None:
        rng = self.rng
        platform = rng.choices(list(PLATFORM_WEIGHTS), weights=list(PLATFORM_WEIGHTS.values()))[0]
        story, state = ("pos_sale", OrderState.COMPLETED) if platform is Platform.POS else self._story()
        customer = self._pick_customer()
        receiver = self._receiver(customer)
        ships = story in (*SHIPPED_STORIES, *SPLIT_STORIES) and platform is not Platform.POS
        leg = self._leg(platform, receiver["receiver_province"]) if ships else None
        times = self._times(story, platform, leg)
        number = self._unique_number(platform, times["created_at"])
        total = self._lines(order_id, least=2 if story in SPLIT_STORIES else 1)
        self.rows.orders.append(
            {
                "id": order_id,
                "platform": str(platform),
                "order_no": number,
                "customer_id": customer["id"],
                "state": str(state),
                "total": total,
                "version": 1,
                **times,
                **receiver,
                "reviewed_at": times["created_at"],
                **self._hold(times["paid_at"] if story == "held" else None),
                **self._presale(story, total),
            }
        )
        shipment: dict[str, Any] | None = None
        if leg:
            split = story in SPLIT_STORIES
            shipment = (
                self._split(order_id, story, times, leg) if split else self._shipment(order_id, story, times, leg)
            )
        self._remember_sample(story, self.rows.orders[-1], shipment)
        if "signed_at" in self.rows.orders[-1]:
            self.signed[order_id] = self.rows.orders[-1]["signed_at"]
        for key in ("shipped_at", "signed_at"):
            self.rows.orders[-1].pop(key, None)

    def _story(self) -> tuple[str, OrderState]:
        story = self.rng.choices(STORIES, weights=self.weights)[0]
        return story[0], story[1]

    def _unique_number(self, platform: Platform, created_at: datetime) -> str:
        while True:
            number = order_number(self.rng, platform, created_at)
            if (platform, number) not in self.used_numbers:
                self.used_numbers.add((platform, number))
                return number

    def _hold(self, paid_at: datetime | None) -> dict[str, Any]:
        """Held by the automatic review minutes after payment, for a buyer's note asking to change the address (every
        row names the columns: the rows are written in bulk by the first one's keys)."""
        if paid_at is None:
            return {"held_since": None, "hold_reason": None, "hold_until": None, "buyer_note": ""}
        since = paid_at + timedelta(minutes=self.rng.uniform(0.5, 2))
        return {"held_since": since, "hold_reason": "买家留言含“改地址”", "hold_until": since + timedelta(hours=2),
                "buyer_note": self.rng.choice(data.NOTES_TO_HOLD)}  # fmt: skip

    def _presale(self, story: str, total: Decimal) -> dict[str, Any]:
        """A presale order's terms: a fifth of the price as deposit, the balance paid in a three-day window that
        opens in a day or three (at midnight, as the platforms' presales do; for a balance never paid, one that
        closed days ago), shipped within 15 days of it."""
        if story not in PRESALE_STORIES:
            return {"presale": False, "presale_deposit": None, "balance_from": None, "balance_due": None,
                    "presale_ship_days": None}  # fmt: skip
        midnight = self.now.astimezone(data.ZONE).replace(hour=0, minute=0, second=0, microsecond=0)
        days = self.rng.randint(1, 3) if story == "presale" else -self.rng.randint(4, 6)
        opens = midnight + timedelta(days=days)
        return {"presale": True, "presale_deposit": (total / 5).quantize(Decimal("1")), "balance_from": opens,
                "balance_due": opens + timedelta(days=3, seconds=-1), "presale_ship_days": 15}  # fmt: skip

    def _leg(self, platform: Platform, province: str) -> _Leg:
        rng = self.rng
        courier = (
            Courier.JD
            if platform is Platform.JD and rng.random() < 0.8
            else rng.choices(list(COURIER_WEIGHTS), weights=list(COURIER_WEIGHTS.values()))[0]
        )
        code, _, origin = rng.choice(data.WAREHOUSES)
        days = DAYS_BY_DISTANCE[_distance(data.WAREHOUSE_PROVINCES[code], province)] * COURIER_PACE.get(courier, 1.0)
        moving = max(6.0, days * 24 * rng.lognormvariate(0, SPREAD))
        if rng.random() >= HELD_SHARE:
            return _Leg(courier, code, origin, moving)
        return _Leg(courier, code, origin, moving, rng.uniform(*HELD_HOURS), rng.uniform(0.15, 0.85))

    def _times(self, story: str, platform: Platform, leg: _Leg | None) -> dict[str, Any]:
        """Created, paid and promised times that fit the story, plus the ship and sign anchors."""
        rng, now = self.rng, self.now
        hours = timedelta(hours=1)
        sla = SHIP_SLA_HOURS.get(platform, DEFAULT_SHIP_SLA_HOURS) * hours
        anchors: dict[str, datetime] = {}
        if story == "unpaid":
            created = now - rng.uniform(0.05, 0.4) * hours
        elif story == "held":  # held a little while ago, the review still within its promised two hours
            created = now - rng.uniform(0.6, 1.5) * hours
        elif story == "paid":
            created = now - rng.uniform(0.5, 0.6 * sla / hours) * hours
        elif story == "split" and leg:  # the first parcel signed a while ago, the second sent since
            anchors["signed_at"] = now - rng.uniform(2, 30) * hours
            anchors["shipped_at"] = anchors["signed_at"] - leg.hours * hours
            created = anchors["shipped_at"] - rng.uniform(3, 20) * hours
        elif story == "part_shipped" and leg:  # the first parcel on its way, the rest still within the promise
            created = now - rng.uniform(4, 0.6 * sla / hours) * hours
            anchors["shipped_at"] = now - rng.uniform(0.3, 0.8) * (now - created)
        elif story in PRESALE_STORIES:  # the deposit paid in the presale's first days
            created = now - timedelta(days=rng.uniform(1, 10) + (0 if story == "presale" else 7))
        elif story == "paid_late":
            created = now - sla - rng.uniform(2, 40) * hours
        elif story == "in_transit" and leg:
            anchors["shipped_at"] = now - max(2.0, rng.uniform(0.05, 1.0) * leg.hours) * hours
            created = anchors["shipped_at"] - rng.uniform(3, 40) * hours
        elif story in ("stalled", "exception"):
            back = {"stalled": (100.0, 190.0), "exception": (40.0, 120.0)}[story]
            anchors["shipped_at"] = now - rng.uniform(*back) * hours
            created = anchors["shipped_at"] - rng.uniform(3, 40) * hours
        elif story in ("delivered", "completed") and leg:
            back = (0.2, 6.0) if story == "delivered" else (8.0, self.days or 58.0)
            anchors["signed_at"] = now - timedelta(days=rng.uniform(*back))
            anchors["shipped_at"] = anchors["signed_at"] - leg.hours * hours
            created = anchors["shipped_at"] - rng.uniform(3, 40) * hours
        else:
            created = now - timedelta(days=rng.uniform(1, self.days or 60.0))
        unpaid = story in ("unpaid", "closed", *PRESALE_STORIES)  # a presale's deposit is not its payment
        paid = None if unpaid else created + timedelta(minutes=rng.uniform(0.5, 30))
        promised = paid + sla if paid else None
        return {"created_at": created, "paid_at": paid, "promised_ship_by": promised, **anchors}

    def _lines(self, order_id: int, least: int) -> Decimal:
        total = Decimal("0")
        for sku, title, price in self.rng.sample(self.skus, max(least, self.rng.choice((1, 1, 1, 2, 2, 3)))):
            qty = self.rng.choices((1, 2, 3), weights=(80, 15, 5))[0]
            self.rows.lines.append(
                {
                    "id": len(self.rows.lines) + 1,
                    "order_id": order_id,
                    "sku": sku,
                    "title": title,
                    "qty": qty,
                    "unit_price": price,
                    "shipment_id": None,
                }
            )
            total += price * qty
        return total

    def _shipment(self, order_id: int, story: str, times: dict[str, Any], leg: _Leg) -> dict[str, Any]:
        shipment = {
            "id": len(self.rows.shipments) + 1,
            "order_id": order_id,
            "warehouse": leg.warehouse,
            "courier": str(leg.courier),
            "tracking_no": waybill_number(self.rng, leg.courier),
            "shipped_at": times["shipped_at"],
            "expected_delivery": None,  # the answers work it out from the transit times learned
        }
        self.rows.shipments.append(shipment)
        destination = self.rows.orders[-1]["receiver_city"]
        chain = _route(self.rng, leg.origin, destination, self.rows.orders[-1]["receiver_district"])
        if story in ("stalled", "exception"):
            self._troubled_events(shipment, story, chain, destination)
        else:
            self._events(shipment, chain, leg, signed=times.get("signed_at") is not None)
        return shipment

    def _split(self, order_id: int, story: str, times: dict[str, Any], leg: _Leg) -> dict[str, Any]:
        """The first line's parcel, and for a split order the others' in a second one sent since from another
        warehouse (one waiting for stock, say); the first parcel is the sample's."""
        first = self._shipment(order_id, "delivered" if story == "split" else "in_transit", times, leg)
        lines = list(itertools.takewhile(lambda line: line["order_id"] == order_id, reversed(self.rows.lines)))[::-1]
        lines[0]["shipment_id"] = first["id"]
        if story == "split":
            second_leg = self._leg(
                Platform(self.rows.orders[-1]["platform"]), self.rows.orders[-1]["receiver_province"]
            )
            away = max(2.0, self.rng.uniform(0.1, 0.7) * second_leg.hours)
            later = {
                "shipped_at": self.now
                - timedelta(hours=min(away, (self.now - first["shipped_at"]) / timedelta(hours=1)))
            }
            second = self._shipment(order_id, "in_transit", later, second_leg)
            for line in lines[1:]:
                line["shipment_id"] = second["id"]
        return first

    def _events(self, shipment: dict[str, Any], chain: list[tuple[str, str, TrackingState]], leg: _Leg,
                signed: bool) -> None:  # fmt: skip
        """Scans spread over the trip as it went: all of them for a signed parcel, those until now otherwise."""
        start: datetime = shipment["shipped_at"]
        last = len(chain) - 1
        for index, (place, text, state) in enumerate(chain if signed else chain[:-1]):
            at = start + leg.offset(index / last)
            if not signed and at > self.now:
                break
            self._event(shipment["id"], at, place, text, state)

    def _troubled_events(
        self, shipment: dict[str, Any], story: str, chain: list[tuple[str, str, TrackingState]], destination: str
    ) -> None:
        """A parcel that stopped moving a day or so after it left, and for an exception, its last word."""
        start: datetime = shipment["shipped_at"]
        step = timedelta(hours=self.rng.uniform(5, 11))
        limit = start + timedelta(hours=self.rng.uniform(10, 30))
        last = start
        for index, (place, text, state) in enumerate(chain[:-1]):
            if start + index * step > limit:
                break
            last = start + index * step
            self._event(shipment["id"], last, place, text, state)
        if story == "exception":
            text = self.rng.choice(data.EXCEPTION_TEXTS + data.RETURN_TEXTS)
            kind = TrackingState.RETURNED if text in data.RETURN_TEXTS else TrackingState.EXCEPTION
            when = min(last + timedelta(hours=self.rng.uniform(3, 12)), self.now - timedelta(hours=1))
            self._event(shipment["id"], when, destination, text, kind)

    def _event(self, shipment_id: int, at: datetime, place: str, text: str, state: TrackingState) -> None:
        shipment = self.rows.shipments[shipment_id - 1]
        if shipment.get("last_event_at") is None or at >= shipment["last_event_at"]:
            shipment.update(last_event_at=at, last_event_state=str(state), last_event_text=text)
        self.rows.events.append(
            {
                "id": len(self.rows.events) + 1,
                "shipment_id": shipment_id,
                "at": at,
                "place": place,
                "text": text,
                "state": str(state),
            }
        )

    def _remember_sample(self, story: str, order: dict[str, Any], shipment: dict[str, Any] | None) -> None:
        if story in self.rows.samples:
            return
        self.rows.samples[story] = SampleOrder(
            platform=Platform(order["platform"]),
            order_id=order["order_no"],
            state=OrderState(order["state"]),
            phone_tail=order["receiver_phone"][-4:],
            courier=shipment["courier"] if shipment else None,
            tracking_no=shipment["tracking_no"] if shipment else None,
            note=SAMPLE_NOTES.get(story, ""),
        )

    def _stock(self) -> None:
        """Plenty of stock everywhere, except a few SKUs sold beyond what is on hand (more of two of them expected
        at the first warehouse in a few days, the third's restock not known yet)."""
        demand = Counter[str]()
        for line, order in ((line, self.rows.orders[line["order_id"] - 1]) for line in self.rows.lines):
            if order["state"] == OrderState.PAID:
                demand[line["sku"]] += line["qty"]
        oversold = {sku for sku, _ in sorted(demand.items(), key=lambda kv: (-kv[1], kv[0]))[:3]}
        for sku, _, _ in self.skus:
            for index, (code, _, _) in enumerate(data.WAREHOUSES):
                on_hand = self.rng.randint(20, 400)
                if sku in oversold:
                    on_hand = max(0, demand[sku] - self.rng.randint(1, 3)) if index == 0 else 0
                reserved = min(on_hand, demand[sku]) if index == 0 else 0
                restock = None
                if sku in oversold and index == 0 and sku != max(oversold):
                    restock = self.now + timedelta(days=self.rng.randint(2, 5))
                self.rows.stock.append({"sku": sku, "warehouse": code, "on_hand": on_hand, "reserved": reserved,
                                        "restock_at": restock})  # fmt: skip
        restocked = sorted(oversold - {max(oversold, default="")})
        varied = [
            sku for sku in restocked if sum(other.split("-")[0] == sku.split("-")[0] for other, _, _ in self.skus) > 1
        ]
        if restocked:  # the one to try: more expected, and another variant to switch to where there is one
            self._oversold_sample((varied or restocked)[0])

    def _oversold_sample(self, sku: str) -> None:
        """The newest order that will not get its item from what is on hand: asked about, it offers the choices."""
        holding = {line["order_id"] for line in self.rows.lines if line["sku"] == sku}
        waiting = [order for order in self.rows.orders if order["id"] in holding
                   and order["state"] == OrderState.PAID and order["held_since"] is None]  # fmt: skip
        if waiting:
            self._remember_sample("oversold", max(waiting, key=lambda order: order["created_at"]), None)


def _history_weights(days: float) -> list[float]:
    """Story weights for `days` of steady trade, in days' worth of orders (see HISTORY_DAYS_OF_ORDERS)."""
    weights = HISTORY_DAYS_OF_ORDERS | {story: share * days for story, share in HISTORY_SHARES.items()}
    weights["completed"] = max(0.0, days - sum(weights.values()))
    return [weights[story] for story, _, _ in STORIES]


def _distance(origin: str, destination: str) -> str:
    if origin == destination:
        return "province"
    if destination in data.REMOTE:
        return "remote"
    same = any(origin in provinces and destination in provinces for provinces in data.REGIONS.values())
    return "region" if same else "country"


def _route(rng: random.Random, origin: str, destination: str, district: str) -> list[tuple[str, str, TrackingState]]:
    """The stations of a parcel's trip, from pick-up to signature."""
    origin_hub = data.HUBS[origin]
    middle = rng.sample(data.TRANSIT_HUBS, rng.choice((0, 1, 1, 2)))
    dest_hub = destination.removesuffix("市") + "转运中心"
    stations = [origin_hub] if destination == origin else [origin_hub, *middle, dest_hub]
    chain = [(origin, f"【{origin}】快件已揽收", TrackingState.COLLECTED)]
    for here, there in zip(stations, [*stations[1:], district], strict=True):
        chain.append((here, f"快件已到达【{here}】", TrackingState.IN_TRANSIT))
        chain.append((here, f"快件已从【{here}】发出，下一站【{there}】", TrackingState.IN_TRANSIT))
    chain.append((district, f"【{destination}{district}】快件正在派送中", TrackingState.OUT_FOR_DELIVERY))
    signed = rng.choice(("已签收，签收人：本人", "已签收，放至家门口", "已由菜鸟驿站代收，请凭取件码取件"))
    chain.append((district, f"【{destination}{district}】{signed}", TrackingState.SIGNED))
    return chain
