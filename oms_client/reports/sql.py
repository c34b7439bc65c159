"""The report's figures read from the store: each section one or a few queries over the period's rows, summed
in Python where a median or a calendar day in the shop's zone is wanted (a period's rows, not the store's)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from oms_client.domain import TO_SHIP, TrackingState
from oms_client.proofs import GuessLimits
from oms_client.reports.custom import SOURCES, CustomTable
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
        stall_hours: float = 48.0, tables: Sequence[CustomTable] = (),
    ) -> Figures:  # fmt: skip
        """`staff_chats` ("telegram:1001") are left out of the bot's conversations; `tables` are the shop's own."""
        async with self.database.read.connect() as conn:
            sales, aftersales = await self._sales(conn, window, stall_hours), await _aftersales(conn, window)
            paid = sum(day.orders for day in sales.by_day)
            aftersales.rate = share(sum(sum(reasons.values()) for reasons in aftersales.cases.values()), paid)
            oversell = await _oversell(conn, window)
            bot = await self._bot(conn, window, set(staff_chats), limits or GuessLimits())
            custom = {table.name: await custom_rows(conn, window, table) for table in tables}
            return Figures(window, sales, aftersales, oversell, bot, custom)

    async def add_intents(self, day: str, counts: Mapping[tuple[str, bool], int]) -> None:
        """Messages read as each intent (sure or not) on a shop day, added to what is counted already."""
        if not counts:
            return
        table = m.IntentCountRow
        rows = [{"day": day, "intent": intent[:32], "unsure": unsure, "count": count}
                for (intent, unsure), count in counts.items()]  # fmt: skip
        statement = self.database.conflict_insert(table)
        added = statement.on_conflict_do_update(
            index_elements=[table.day, table.intent, table.unsure],
            set_={"count": table.count + statement.excluded.count},
        )
        async with self.database.write.begin() as conn:
            await conn.execute(added, rows)

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
            **await _intents(conn, window),
        )


async def custom_rows(conn: AsyncConnection, window: Window, table: CustomTable) -> list[dict[str, Any]]:
    """One of the shop's tables: a row per group, its measures each from the rows of its kind in the period."""
    rows: dict[str, dict[str, Any]] = defaultdict(dict)
    for source in dict.fromkeys(SOURCES[measure][0] for measure in table.measures):
        query, columns = CUSTOM_QUERIES[source](table.group_by, window)
        for found in await conn.execute(query):
            key = str(found[0] if found[0] not in (None, "") else "—")
            rows[key] |= {name: _plain(value) for name, value in zip(columns, found[1:], strict=True)}
    wanted: list[dict[str, Any]] = [
        {table.group_by: key} | {measure: row.get(measure, 0) for measure in table.measures}
        for key, row in rows.items()
    ]
    first = table.measures[0]
    return sorted(wanted, key=lambda row: (-float(row[first] or 0), str(row[table.group_by])))[: table.top]


def _orders_by(group_by: str, window: Window) -> tuple[Any, tuple[str, ...]]:
    order, line = m.OrderRow, m.OrderLineRow
    key = {"platform": order.platform, "sku": line.sku, "province": order.receiver_province}[group_by]
    counted = (func.count(func.distinct(order.id)), func.sum(line.qty * line.unit_price), func.sum(line.qty))
    paid = (order.paid_at >= window.start, order.paid_at < window.end)
    query = select(key, *counted).join(line, line.order_id == order.id).where(*paid).group_by(key)
    return query, ("orders", "amount", "units")


def _parcels_by(group_by: str, window: Window) -> tuple[Any, tuple[str, ...]]:
    order, shipment = m.OrderRow, m.ShipmentRow
    key = {"platform": order.platform, "courier": shipment.courier, "province": order.receiver_province}[group_by]
    troubled = func.sum(case_when(shipment.last_event_state.in_(TROUBLE)))
    signed = func.sum(case_when(shipment.last_event_state == TrackingState.SIGNED.value))
    sent = (shipment.shipped_at >= window.start, shipment.shipped_at < window.end)
    query = select(key, func.count(), troubled, signed).join(order, order.id == shipment.order_id).where(*sent)
    return query.group_by(key), ("parcels", "troubled_parcels", "signed_parcels")


def _cases_by(group_by: str, window: Window) -> tuple[Any, tuple[str, ...]]:
    """A case counts once for each SKU of its order when grouped by SKU."""
    order, line, filed = m.OrderRow, m.OrderLineRow, m.AfterSalesCaseRow
    key = {"platform": order.platform, "sku": line.sku, "reason": filed.reason}[group_by]
    query: Any = select(key, func.count(func.distinct(filed.id))).join(order, order.id == filed.order_id)
    if group_by == "sku":
        query = query.join(line, line.order_id == order.id)
    query = query.where(filed.created_at >= window.start, filed.created_at < window.end)
    return query.group_by(key), ("cases",)


def _handoffs_by(group_by: str, window: Window) -> tuple[Any, tuple[str, ...]]:
    handoff = m.HandoffRow
    key = {"reason": handoff.reason, "agent": handoff.agent_id}[group_by]
    query = select(key, func.count()).where(handoff.created_at >= window.start, handoff.created_at < window.end)
    return query.group_by(key), ("handoffs",)


# Each kind of row's grouped query, and the measures its columns are.
CUSTOM_QUERIES: dict[str, Callable[[str, Window], tuple[Any, tuple[str, ...]]]] = {
    "orders": _orders_by, "parcels": _parcels_by, "cases": _cases_by, "handoffs": _handoffs_by,
}  # fmt: skip


def case_when(condition: Any) -> Any:
    return case((condition, 1), else_=0)


def _plain(value: Any) -> Any:
    """Amounts as strings of yuan, counts as ints: what JSON and the page show."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return int(value or 0)


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


async def _intents(conn: AsyncConnection, window: Window) -> dict[str, Any]:
    """What customers asked (messages by intent read) and how often the bot was unsure and asked back."""
    counted = m.IntentCountRow
    days = (counted.day >= window.first.isoformat(), counted.day <= window.last.isoformat())
    rows = (await conn.execute(select(counted.intent, counted.unsure, func.sum(counted.count))
                               .where(*days).group_by(counted.intent, counted.unsure))).all()  # fmt: skip
    intents: Counter[str] = Counter()
    for intent, _, count in rows:
        intents[intent] += int(count)
    unsure = sum(int(count) for _, was_unsure, count in rows if was_unsure)
    return {"intents": dict(intents.most_common()), "clarifications": unsure}


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
