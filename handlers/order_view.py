"""How an order reads in chat: what a customer wants to know, masked, in their language."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.messages import Button
from handlers.texts import COURIER_NAMES, PLATFORM_NAMES, STATE_NAMES, TRACKING_NAMES, name_of, say
from oms_client.domain import (
    BEFORE_BALANCE,
    TO_SHIP,
    Order,
    OrderLine,
    OrderState,
    Presale,
    Shipment,
    TrackingState,
    TransitTime,
)
from oms_client.masking import mask_address, mask_name, mask_phone

STALL_HOURS = 48
LATEST_EVENTS_SHOWN = 3
ITEMS_SHOWN = 2
PARCEL_MARKS = "①②③④⑤⑥⑦⑧⑨⑩"


class OrderView:
    """Renders orders for one conversation: its language, the shop's time zone and the current time."""

    def __init__(self, lang: str, tz: ZoneInfo, now: datetime) -> None:
        self.lang, self.tz, self.now = lang, tz, now

    def time(self, moment: datetime) -> str:
        local = moment.astimezone(self.tz)
        if self.lang == "en":
            return f"{local:%b} {local.day} {local:%H:%M}"
        return f"{local.month}月{local.day}日 {local:%H:%M}"

    def date(self, moment: datetime) -> str:
        return local_date(moment, self.lang, self.tz)

    def state(self, order: Order) -> str:
        return name_of(STATE_NAMES, order.state, self.lang)

    def head(self, order: Order) -> str:
        return say(
            "order_head",
            self.lang,
            order_no=order.order_no,
            platform=name_of(PLATFORM_NAMES, order.platform, self.lang),
        )

    def details(self, order: Order) -> str:
        """The answer to "what about my order": status, items, payment, shipping promise, parcel."""
        lines = [
            self.head(order),
            say("status", self.lang, state=self.state(order)),
            say("items", self.lang, items=items(order.lines), count=order.item_count, total=order.total),
        ]
        if order.paid_at:
            lines.append(say("paid_at", self.lang, time=self.time(order.paid_at)))
        lines += self.shipping_promise(order)
        lines += self.parcels(order, events=1)
        lines.append(self.receiver(order))
        return "\n".join(lines)

    def shipping_promise(self, order: Order) -> list[str]:
        """When it ships, or, while a person reviews it, when they will be done (the shipping promise starts then)."""
        hold = order.hold
        if order.state is OrderState.PAID and hold is not None:
            if self.now > hold.until:
                return [say("on_hold_late", self.lang)]
            review = f"{(hold.until - hold.since).total_seconds() / 3600:g}"
            return [say("on_hold", self.lang, hours=review, time=self.time(hold.until))]
        if order.presale is not None and order.state in BEFORE_BALANCE:
            return self.presale_terms(order, order.presale)
        if order.state not in TO_SHIP or order.promised_ship_by is None:
            return []
        if order.is_ship_late(self.now):
            hours = int((self.now - order.promised_ship_by).total_seconds() // 3600)
            return [say("ship_by", self.lang, time=self.time(order.promised_ship_by)),
                    say("late", self.lang, hours=max(1, hours))]  # fmt: skip
        if order.presale is not None:
            return [say("presale_ship_by", self.lang, date=self.date(order.promised_ship_by))]
        return [say("ship_by", self.lang, time=self.time(order.promised_ship_by))]

    def presale_terms(self, order: Order, presale: Presale) -> list[str]:
        """A presale order before its balance: the deposit paid, when the balance is due, and when it ships after."""
        if order.state is OrderState.BALANCE_OVERDUE or presale.balance_late(self.now):
            due = self.time(presale.balance_due) if presale.balance_due else ""
            return [say("balance_overdue", self.lang, due=due)]
        deposit = f" ¥{presale.deposit}" if presale.deposit is not None else ""
        lines = [say("presale_deposit", self.lang, deposit=deposit)]
        if presale.balance_from is not None and not presale.balance_open(self.now):
            due = self.time(presale.balance_due) if presale.balance_due else "—"
            lines.append(say("balance_later", self.lang, start=self.time(presale.balance_from), due=due))
        elif presale.balance_due is not None:
            lines.append(say("balance_now", self.lang, due=self.time(presale.balance_due)))
        if presale.ship_days is not None:
            lines.append(say("presale_ship_days", self.lang, days=presale.ship_days))
        elif order.promised_ship_by is not None:
            lines.append(say("presale_ship_date", self.lang, date=self.date(order.promised_ship_by)))
        return lines

    def tracking(self, order: Order) -> str:
        """The answer to "where is my parcel": courier, waybill, the latest events, expected delivery."""
        lines = [f"{self.head(order)} · {self.state(order)}"]
        if not order.shipments:
            if order.state is OrderState.PAID:
                lines.append(say("not_shipped", self.lang))
            elif order.presale is None or order.state not in BEFORE_BALANCE:  # else its terms say it all
                lines.append(say("no_parcel", self.lang, state=self.state(order)))
            lines += self.shipping_promise(order)
            return "\n".join(lines)
        lines += self.parcels(order, events=LATEST_EVENTS_SHOWN)
        if order.state is OrderState.PART_SHIPPED:
            lines += self.shipping_promise(order)  # for the lines still waiting
        return "\n".join(lines)

    def parcels(self, order: Order, events: int) -> list[str]:
        """Each parcel; an order shipped in several (拆单) parcel by parcel, with what each carries and where it
        is, then the lines still waiting."""
        if not order.split:
            return [line for shipment in order.shipments for line in self.parcel(shipment, events)]
        waiting = order.waiting_lines
        head = "parcels_head_part" if waiting else "parcels_head"
        lines = [say(head, self.lang, count=len(order.shipments))]
        for mark, shipment in zip(PARCEL_MARKS, order.shipments, strict=False):
            latest = shipment.latest_event
            where = name_of(TRACKING_NAMES, latest.state if latest else "none", self.lang)
            lines.append(f"{mark} {items(shipment.lines) or '—'} · {where}")
            lines += self.parcel(shipment, events)
        if waiting:
            count = sum(line.qty for line in waiting)
            lines.append(say("parcels_waiting", self.lang, count=count, items=items(waiting)))
        return lines

    def parcel(self, shipment: Shipment, events: int) -> list[str]:
        courier = name_of(COURIER_NAMES, shipment.courier, self.lang)
        lines = [say("parcel", self.lang, courier=courier, tracking_no=shipment.tracking_no)]
        recent = sorted(shipment.events, key=lambda e: e.at, reverse=True)[:events]
        if events == 1 and recent:
            lines.append(say("latest", self.lang, time=self.time(recent[0].at), text=recent[0].text))
        else:
            lines += [f"{self.time(event.at)} {event.text}" for event in recent]
        latest = shipment.latest_event
        if shipment.intercept_requested_at is not None:
            lines.append(say("intercept_requested", self.lang, time=self.time(shipment.intercept_requested_at)))
        elif latest is None or latest.state is not TrackingState.SIGNED:
            lines += self.expected_delivery(shipment)
            lines += self.parcel_warnings(shipment)
        return lines

    def expected_delivery(self, shipment: Shipment) -> list[str]:
        """From the route's usual time when the shop has learned one; else the date stored with the parcel."""
        expected, usual = shipment.eta, shipment.usual
        if expected is None:
            return []
        on_time = expected.astimezone(self.tz).date() >= self.now.astimezone(self.tz).date()
        if usual is None:
            return [say("eta" if on_time else "eta_missed", self.lang, date=self.date(expected))]
        courier = name_of(COURIER_NAMES, shipment.courier, self.lang)
        facts = {"span": usual_span(usual), "who": say(f"usual_{usual.level}", self.lang, courier=courier)}
        if on_time:
            return [say("eta_usual", self.lang, date=self.date(expected), **facts)]
        days = f"{(self.now - shipment.shipped_at).total_seconds() / 86400:.1f}"
        late = shipment.running_late(self.now)
        return [say("eta_late" if late else "eta_soon", self.lang, days=days, **facts)]

    def parcel_warnings(self, shipment: Shipment) -> list[str]:
        latest = shipment.latest_event
        if latest is None or latest.state is TrackingState.SIGNED:
            return []
        if latest.state in (TrackingState.EXCEPTION, TrackingState.RETURNED):
            return [say("exception", self.lang)]
        silent_hours = int((self.now - latest.at).total_seconds() // 3600)
        return [say("stalled", self.lang, hours=silent_hours)] if silent_hours >= STALL_HOURS else []

    def needs_person(self, order: Order) -> bool:
        """A stuck or failed parcel, or a late shipment: worth a 'talk to a person' button."""
        return order.is_ship_late(self.now) or any(self.parcel_warnings(s) for s in order.shipments)

    def receiver(self, order: Order) -> str:
        receiver = order.receiver
        return say(
            "receiver",
            self.lang,
            name=mask_name(receiver.name),
            phone=mask_phone(receiver.phone),
            address=mask_address(receiver.province, receiver.city, receiver.district),
        )

    def listing(self, orders: Sequence[Order]) -> tuple[str, tuple[Button, ...]]:
        lines = [say("orders_header", self.lang)]
        buttons = []
        for index, order in enumerate(orders, start=1):
            more = say("more_items", self.lang, count=order.item_count) if order.item_count > 1 else ""
            lines.append(
                say(
                    "order_line",
                    self.lang,
                    index=index,
                    order_no=order.order_no,
                    platform=name_of(PLATFORM_NAMES, order.platform, self.lang),
                    state=self.state(order),
                    title=order.lines[0].title if order.lines else "",
                    more=more,
                    date=self.date(order.created_at),
                )
            )
            buttons.append(Button(f"{index}. {order.order_no}", order.order_no))
        return "\n".join(lines), tuple(buttons)


def local_date(moment: datetime, lang: str, tz: ZoneInfo) -> str:
    """A day as customers write it: 11月20日, Nov 20."""
    local = moment.astimezone(tz)
    return f"{local:%b} {local.day}" if lang == "en" else f"{local.month}月{local.day}日"


def items(lines: Sequence[OrderLine]) -> str:
    """The first few lines as "title ×qty", "…" for the rest."""
    shown = "、".join(f"{line.title} ×{line.qty}" for line in lines[:ITEMS_SHOWN])
    return shown + " …" if len(lines) > ITEMS_SHOWN else shown


def usual_span(usual: TransitTime) -> str:
    """The middle half of the route's parcels in whole days: "2–3", or "2" when they agree."""
    low = max(1, round(usual.p25.total_seconds() / 86400))
    high = max(low, round(usual.p75.total_seconds() / 86400))
    return str(low) if low == high else f"{low}–{high}"
