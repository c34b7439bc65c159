"""`OrderStore` on SQLAlchemy: SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, Select, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.orm import selectinload

from oms_client.domain import (
    Courier,
    Hold,
    Order,
    OrderLine,
    OrderState,
    Platform,
    Presale,
    Receiver,
    Shipment,
    TrackingEvent,
    TrackingState,
    TransitTime,
)
from oms_client.proofs import Guess, GuessLimits, Judgement, Outcome, Proof
from oms_client.sql import models as m
from oms_client.sql.audit import audit_row
from oms_client.sql.database import Database, conflict_insert
from oms_client.store import ChatUser, ConversationRecord, StaleConversation
from oms_client.stores import proofs as sql_proofs
from oms_client.stores.cases import SqlCases
from oms_client.stores.handoffs import SqlHandoffs
from oms_client.stores.nlu_candidates import SqlNluCandidates
from oms_client.stores.oversell import SqlOversell
from oms_client.stores.transit_times import Route, usual_times

_CONVERSATION = m.ConversationRow
# Every customer turn runs these, so they are built once: building and keying a statement cost more
# than running it (SQLAlchemy remembers a statement object's cache key).
LOAD_CONVERSATION = select(_CONVERSATION.state, _CONVERSATION.version).where(
    _CONVERSATION.key == bindparam("conversation")
)
SAVE_CONVERSATION = (
    update(_CONVERSATION)
    .where(_CONVERSATION.key == bindparam("conversation"), _CONVERSATION.version == bindparam("expected"))
    .values(
        state=bindparam("new_state", type_=_CONVERSATION.state.type),
        version=bindparam("new_version"),
        updated_at=bindparam("saved_at", type_=_CONVERSATION.updated_at.type),
    )
)


class Elsewhere(Protocol):
    async def refresh(self, order_no: str) -> bool:
        """Bring the store's copy of these orders up to date from where they are kept; False when that could
        not be asked."""


class Tracking(Protocol):
    async def refresh(self, orders: Sequence[Order]) -> bool:
        """Bring the parcels' scans up to date from the tracking provider; True when any came."""


class SqlOrderStore(SqlCases, SqlHandoffs, SqlOversell, SqlNluCandidates):
    def __init__(self, database: Database, publish_events: bool = False) -> None:
        self.database = database
        self.publish_events = publish_events
        # An external OMS that keeps the shop's orders (XIAOER_OMS_URL): asked for the ones asked about.
        self.elsewhere: Elsewhere | None = None
        # A tracking provider asked about parcels whose latest scan is old, as they are asked about.
        self.tracking: Tracking | None = None
        self._reader = async_sessionmaker(database.read, expire_on_commit=False)

    async def find_orders(self, order_no: str) -> Sequence[Order]:
        query = _with_details(select(m.OrderRow).where(m.OrderRow.order_no == order_no))
        await self._refresh(order_no)  # before the read, so the answer is the OMS's latest
        found = await self._orders(query)
        if self.tracking is not None and found and await self.tracking.refresh(found):
            found = await self._orders(query)
        return found

    async def _refresh(self, order_no: str) -> bool:
        return True if self.elsewhere is None else await self.elsewhere.refresh(order_no)

    async def _holds(self, order_no: str) -> bool:
        return await self._count(select(func.count()).where(m.OrderRow.order_no == order_no)) > 0

    async def recent_orders(self, proofs: Collection[Proof], limit: int) -> Sequence[Order]:
        if not proofs:
            return []
        query = (
            select(m.OrderRow)
            .where(sql_proofs.opened_by(proofs))
            .order_by(m.OrderRow.created_at.desc(), m.OrderRow.id.desc())
            .limit(limit)
        )
        return await self._orders(_with_details(query))

    async def _orders(self, query: Select[Any]) -> list[Order]:
        async with self._reader() as session:
            rows = (await session.scalars(query)).all()
            routes = {_route(row, shipment) for row in rows for shipment in row.shipments}
            usual = await usual_times(session, routes)
            return [_order_from_row(row, usual) for row in rows]

    async def proofs(self, user: ChatUser) -> frozenset[Proof]:
        async with self.database.read.connect() as conn:
            return await conn.run_sync(sql_proofs.proofs_of, user)

    async def judge_guess(
        self, user: ChatUser, guess: Guess, client: str | None, limits: GuessLimits, now: datetime
    ) -> Judgement:
        # A number first named with its tail: the OMS may hold it. If it cannot be asked and the store does not
        # hold the number, a wrong guess could not be told from an order not yet fetched: nothing is counted.
        if not await self._refresh(guess.order_no) and not await self._holds(guess.order_no):
            return Judgement(Outcome.UNAVAILABLE)
        return await self.database.write.run(lambda conn: sql_proofs.judge(conn, user, guess, client, limits, now))

    async def guess_lock(
        self, user: ChatUser, order_no: str, client: str | None, limits: GuessLimits, now: datetime
    ) -> Outcome | None:
        async with self.database.read.connect() as conn:
            return await conn.run_sync(sql_proofs.lock_state, user, order_no, client, limits, now)

    async def _count(self, query: Select[Any]) -> int:
        async with self.database.read.connect() as conn:
            return int((await conn.scalar(query)) or 0)

    async def load_conversation(self, user: ChatUser) -> ConversationRecord | None:
        async with self.database.read.connect() as conn:
            row = (await conn.execute(LOAD_CONVERSATION, {"conversation": user.key})).first()
        return ConversationRecord(state=row.state, version=row.version) if row else None

    async def save_conversation(
        self, user: ChatUser, state: dict[str, Any], expected_version: int, at: datetime
    ) -> int:

        def save(conn: Connection) -> int:
            if expected_version == 0:
                row = {"key": user.key, "state": state, "version": 1, "updated_at": at}
                new = conflict_insert(conn.dialect.name, _CONVERSATION).values(row).on_conflict_do_nothing()
                if conn.execute(new.returning(_CONVERSATION.key)).first() is None:
                    raise StaleConversation(user.key)  # another turn of the chat saved first
                return 1
            params = {"conversation": user.key, "expected": expected_version, "new_state": state,
                      "new_version": expected_version + 1, "saved_at": at}  # fmt: skip
            result = conn.execute(SAVE_CONVERSATION, params)
            if result.rowcount != 1:
                raise StaleConversation(user.key)
            return expected_version + 1

        return await self.database.write.run(save)

    async def audit(
        self, actor: str, action: str, subject: tuple[str, str], detail: dict[str, Any], at: datetime
    ) -> None:
        async with self.database.write.begin() as conn:
            await conn.execute(insert(m.AuditLogRow), [audit_row(actor, action, subject, detail, at)])

    async def get_meta(self, key: str) -> dict[str, Any] | None:
        async with self.database.read.connect() as conn:
            return await conn.scalar(select(m.MetaRow.value).where(m.MetaRow.key == key))

    async def set_meta(self, key: str, value: dict[str, Any]) -> None:
        async with self.database.write.begin() as conn:
            updated = await conn.execute(update(m.MetaRow).where(m.MetaRow.key == key).values(value=value))
            if updated.rowcount == 0:
                await conn.execute(insert(m.MetaRow), [{"key": key, "value": value}])

    async def count_orders(self) -> int:
        return await self._count(select(func.count()).select_from(m.OrderRow))

    async def health(self) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            async with self.database.read.connect() as conn:
                await conn.scalar(select(1))
        except Exception as error:
            return {"ok": False, "backend": self.database.dialect, "error": type(error).__name__}
        latency_ms = round((time.perf_counter() - started) * 1000, 2)
        return {"ok": True, "backend": self.database.dialect, "latency_ms": latency_ms}

    async def close(self) -> None:
        await self.database.dispose()


def _with_details(query: Select[Any]) -> Select[Any]:
    return query.options(
        selectinload(m.OrderRow.lines),
        selectinload(m.OrderRow.shipments).selectinload(m.ShipmentRow.events),
    )


def _route(order: m.OrderRow, shipment: m.ShipmentRow) -> Route:
    return shipment.courier, shipment.warehouse, order.receiver_province


def _order_from_row(row: m.OrderRow, usual: dict[Route, TransitTime]) -> Order:
    lines = {line.id: OrderLine(line.sku, line.title, line.qty, line.unit_price) for line in row.lines}
    carried: dict[int, list[OrderLine]] = defaultdict(list)
    for line in row.lines:
        if line.shipment_id is not None:
            carried[line.shipment_id].append(lines[line.id])
    return Order(
        platform=Platform(row.platform),
        order_no=row.order_no,
        state=OrderState(row.state),
        customer_id=row.customer_id,
        created_at=row.created_at,
        paid_at=row.paid_at,
        promised_ship_by=row.promised_ship_by,
        total=row.total,
        receiver=Receiver(
            name=row.receiver_name,
            phone=row.receiver_phone,
            province=row.receiver_province,
            city=row.receiver_city,
            district=row.receiver_district,
            detail=row.receiver_detail,
        ),
        lines=tuple(lines.values()),
        shipments=tuple(_shipment_from_row(s, usual.get(_route(row, s)), carried[s.id]) for s in row.shipments),
        hold=Hold(row.hold_reason or "", row.held_since, row.hold_until or row.held_since) if row.held_since else None,
        presale=_presale_from_row(row),
    )


def _presale_from_row(row: m.OrderRow) -> Presale | None:
    if not row.presale:
        return None
    return Presale(row.presale_deposit, row.balance_from, row.balance_due, row.presale_ship_days)


def _shipment_from_row(row: m.ShipmentRow, usual: TransitTime | None, lines: list[OrderLine]) -> Shipment:
    events = tuple(TrackingEvent(e.at, e.place, e.text, TrackingState(e.state)) for e in row.events)
    return Shipment(Courier(row.courier), row.tracking_no, row.shipped_at, row.expected_delivery, events,
                    row.intercept_requested_at, usual, tuple(lines))  # fmt: skip
