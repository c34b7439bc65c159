"""The report's figures read from the store: each section one or a few queries over the period's rows, summed
in Python where a median or a calendar day in the shop's zone is wanted (a period's rows, not the store's)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from oms_client.domain import TO_SHIP, TrackingState
from oms_client.proofs import GuessLimits
from oms_client.reports.figures import AfterSales, Bot, DaySales, Figures, Oversell, Sales, Spread, Window, share
from oms_client.sql import models as m
from oms_client.sql.database import Database

TROUBLE = (TrackingState.EXCEPTION.value, TrackingState.RETURNED.value)
DECISIONS = ("case.approve", "case.reject")
CLOSINGS = ("case.close", "case.withdraw")


class SqlReports:
    def __init__(self, database: Database, zone: ZoneInfo) -> None:
        self.database, self.zone = database, zone

    async def figures(
        self, window: Window, staff_chats: Collection[str] = (), limits: GuessLimits | None = None,
        stall_hours: float = 48.0,
    ) -> Figures:  # fmt: skip
        """`staff_chats` ("telegram:1001") are left out of the bot's conversations."""
        async with self.database.read.connect() as conn:
            sales, aftersales = await self._sales(conn, window, stall_hours), await _aftersales(conn, window)
            paid = sum(day.orders for day in sales.by_day)
            aftersales.rate = share(sum(sum(reasons.values()) for reasons in aftersales.cases.values()), paid)
            oversell = await _oversell(conn, window)
            bot = await self._bot(conn, window, set(staff_chats), limits or GuessLimits())
            return Figures(window, sales, aftersales, oversell, bot)

    def day(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).date().isoformat()

    async def _sales(self, conn: AsyncConnection, window: Window, stall_hours: float) -> Sales:
        order, shipment = m.OrderRow, m.ShipmentRow
        first_parcel = select(func.min(shipment.shipped_at)).where(shipment.order_id == order.id).scalar_subquery()
        paid = (order.paid_at >= window.start, order.paid_at < window.end)
        rows = (await conn.execute(select(order.platform, order.state, order.paid_at, order.total,
                                          order.promised_ship_by, first_parcel.label("shipped_at")).where(*paid))
                ).all()  # fmt: skip
        sales = Sales(by_day=_by_day(rows, self.day))
        waits: dict[str, list[float]] = defaultdict(list)
        due: Counter[str] = Counter()
        kept: Counter[str] = Counter()
        for row in rows:
            if row.shipped_at is not None:
                waits[row.platform].append((row.shipped_at - row.paid_at).total_seconds() / 3600)
            waiting = row.state in TO_SHIP  # not yet sent: late once due; one never sent (a shop sale) is not
            if row.promised_ship_by is not None and row.promised_ship_by < window.end and (row.shipped_at or waiting):
                due[row.platform] += 1
                kept[row.platform] += row.shipped_at is not None and row.shipped_at <= row.promised_ship_by
        sales.paid_to_shipped_hours = {platform: Spread.of(hours) for platform, hours in sorted(waits.items())}
        sales.on_time = {platform: share(kept[platform], count) for platform, count in sorted(due.items())}
        sales.troubled_parcels = await _troubled(conn, window, stall_hours)
        return sales

    async def _bot(self, conn: AsyncConnection, window: Window, staff: set[str], limits: GuessLimits) -> Bot:
        inbox, out, handoff = m.InboxRow, m.OutgoingRow, m.HandoffRow
        first_reply = select(func.min(out.created_at)).where(out.inbox_id == inbox.id).scalar_subquery()
        rows = (await conn.execute(
            select(inbox.chat_key, inbox.received_at, first_reply.label("replied_at"))
            .where(inbox.received_at >= window.start, inbox.received_at < window.end).order_by(inbox.id)
        )).all()  # fmt: skip
        firsts: dict[tuple[str, str], Any] = {}
        for row in rows:
            if row.chat_key not in staff:
                firsts.setdefault((row.chat_key, self.day(row.received_at)), row)
        handed = (await conn.execute(select(handoff.chat_key, handoff.created_at, handoff.reason)
                                     .where(handoff.created_at >= window.start, handoff.created_at < window.end)
                                     )).all()  # fmt: skip
        with_person = {(row.chat_key, self.day(row.created_at)) for row in handed} & set(firsts)
        replies = [(r.replied_at - r.received_at).total_seconds() for r in firsts.values() if r.replied_at]
        return Bot(
            conversations=len(firsts),
            self_service_rate=share(len(firsts) - len(with_person), len(firsts)),
            handoff_rate=share(len(with_person), len(firsts)),
            handoff_reasons=dict(Counter(row.reason for row in handed).most_common()),
            first_response_seconds=Spread.of(replies),
            proofs=await _proofs(conn, window, limits),
            notices_sent=await _notices(conn, window),
        )


def _by_day(rows: Sequence[Any], day: Callable[[datetime], str]) -> list[DaySales]:
    orders: Counter[tuple[str, str]] = Counter()
    amount: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in rows:
        key = (day(row.paid_at), row.platform)
        orders[key] += 1
        amount[key] += Decimal(row.total)
    return [DaySales(d, p, orders[(d, p)], f"{amount[(d, p)]:.2f}") for d, p in sorted(orders)]


async def _troubled(conn: AsyncConnection, window: Window, stall_hours: float) -> dict[str, dict[str, int]]:
    """Parcels sent in the period that, at its end, had failed (exception, returned) or gone quiet."""
    shipment = m.ShipmentRow
    quiet = window.end - timedelta(hours=stall_hours)
    rows = (await conn.execute(
        select(shipment.courier, shipment.last_event_state, shipment.last_event_at)
        .where(shipment.shipped_at >= window.start, shipment.shipped_at < window.end)
    )).all()  # fmt: skip
    found: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        if row.last_event_state in TROUBLE:
            found[row.courier]["exception"] += 1
        elif row.last_event_state != TrackingState.SIGNED.value and (row.last_event_at or quiet) <= quiet:
            found[row.courier]["stalled"] += 1
    return {courier: dict(counts) for courier, counts in sorted(found.items())}


async def _aftersales(conn: AsyncConnection, window: Window) -> AfterSales:
    case, log = m.AfterSalesCaseRow, m.AuditLogRow
    filed = (await conn.execute(select(case.kind, case.reason, func.count()).where(
        case.created_at >= window.start, case.created_at < window.end).group_by(case.kind, case.reason)
    )).all()  # fmt: skip
    cases: dict[str, dict[str, int]] = defaultdict(dict)
    for kind, reason, count in sorted(filed):
        cases[kind][reason or "-"] = count
    moves = (await conn.execute(
        select(log.action, log.at, log.detail, case.created_at, case.id)
        .join(case, cast(case.id, String) == log.subject_id)
        .where(log.subject_type == "case", log.at >= window.start, log.at < window.end,
               log.action.in_((*DECISIONS, *CLOSINGS, "case.refund")))
        .order_by(log.at)
    )).all()  # fmt: skip
    decided = {row.id: row for row in reversed(moves) if row.action in DECISIONS}  # each case's first
    closed = {row.id: row for row in reversed(moves) if row.action in CLOSINGS}
    approved = sum(row.action == "case.approve" for row in decided.values())
    return AfterSales(
        cases=dict(cases),
        approval_rate=share(approved, len(decided)),
        to_decision_hours=Spread.of([_hours(row.created_at, row.at) for row in decided.values()]),
        to_close_hours=Spread.of([_hours(row.created_at, row.at) for row in closed.values()]),
        refunded=f"{sum((_amount(row.detail) for row in moves if row.action == 'case.refund'), Decimal(0)):.2f}",
    )


async def _oversell(conn: AsyncConnection, window: Window) -> Oversell:
    alert, offer = m.AlertRow, m.OversellOfferRow
    during = (alert.first_seen < window.end, (alert.resolved_at.is_(None)) | (alert.resolved_at >= window.start))
    rows = (await conn.execute(select(alert.subject, alert.detail).where(alert.kind == "oversell", *during))).all()
    told = (await conn.execute(select(offer.choice, func.count()).where(
        offer.told_at >= window.start, offer.told_at < window.end).group_by(offer.choice))).all()  # fmt: skip
    return Oversell(
        skus=sorted({row.subject for row in rows}),
        short_units=sum(max(0, int(r.detail.get("demand", 0)) - int(r.detail.get("on_hand", 0))) for r in rows),
        customers_told=sum(count for _, count in told),
        choices={choice: count for choice, count in sorted(told, key=lambda t: str(t[0])) if choice},
    )


async def _proofs(conn: AsyncConnection, window: Window, limits: GuessLimits) -> dict[str, int]:
    """Proofs that bound a chat to an order, wrong guesses, and chats locked out (their hourly cap reached)."""
    binding, failure = m.ChatBindingRow, m.VerificationFailureRow
    bound = await conn.scalar(select(func.count()).select_from(binding).where(
        binding.created_at >= window.start, binding.created_at < window.end))  # fmt: skip
    failed = (await conn.execute(select(failure.channel, failure.user_id, failure.at).where(
        failure.at >= window.start, failure.at < window.end).order_by(failure.at))).all()  # fmt: skip
    by_user: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for row in failed:
        by_user[(row.channel, row.user_id)].append(row.at)
    locked = sum(_capped(times, limits.per_user_per_hour) for times in by_user.values())
    return {"succeeded": int(bound or 0), "failed": len(failed), "locked": locked}


def _capped(times: list[datetime], cap: int) -> bool:
    """Some hour holds `cap` of these failures: the chat was locked out."""
    return any(later - times[index] < timedelta(hours=1) for index, later in enumerate(times[cap - 1 :]))


async def _notices(conn: AsyncConnection, window: Window) -> int:
    notice, offer = m.CustomerNoticeRow, m.OversellOfferRow
    delays = await conn.scalar(select(func.count(func.distinct(notice.chat_key + notice.day))).where(
        notice.created_at >= window.start, notice.created_at < window.end))  # fmt: skip
    offers = await conn.scalar(select(func.count()).select_from(offer).where(
        offer.told_at >= window.start, offer.told_at < window.end))  # fmt: skip
    return int(delays or 0) + int(offers or 0)


def _hours(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600


def _amount(detail: dict[str, Any]) -> Decimal:
    try:
        return Decimal(str(detail.get("amount") or 0))
    except InvalidOperation:
        return Decimal(0)
