"""The oversell loop in SQL: which customers to tell of an oversold item, the record that they were told (with
the messages, in one transaction, once per order and SKU however many processes run), their choices, and the
waiting ones to tell of the restock.

Who is at risk follows the scan: while an `oversell` alert is open for a SKU, the newest paid orders waiting for
it, as many as the shortfall (demand beyond what is on hand) reaches, are the ones that will not get it. Only a
customer who proved the order in some chat is told, in the chat bound last.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from oms_client.alerting import RESOLVED
from oms_client.chats.outgoing import ChatMessage, enqueue_messages
from oms_client.domain import TO_SHIP, Order
from oms_client.oversell import Choice, OversellOffer, Variant
from oms_client.sql import models as m
from oms_client.sql.database import Database, conflict_insert
from oms_client.store import ChatUser

VARIANTS_OFFERED = 3
# Written once the offers have their ids (their buttons name them): the messages for those offers.
Render = Callable[[Sequence[OversellOffer]], list[ChatMessage]]


class SqlOversell:
    database: Database

    async def oversell_due(self, now: datetime) -> list[OversellOffer]:
        """The offers to make now: customers at risk on an open oversell, bound to a chat, not yet told."""
        offers: list[OversellOffer] = []
        async with self.database.read.connect() as conn:
            alert = m.AlertRow
            open_ = select(alert.subject, alert.detail).where(alert.kind == "oversell", alert.status != RESOLVED)
            for sku, detail in (await conn.execute(open_)).all():
                shortfall = int(detail.get("demand", 0)) - int(detail.get("on_hand", 0))
                at_risk = await _at_risk(conn, sku, shortfall)
                if at_risk:
                    restock, variants = await _restock(conn, sku, now), await _variants(conn, sku)
                    offers += [replace(offer, restock_at=restock, variants=variants) for offer in at_risk]
        return offers

    async def make_offers(self, offers: Sequence[OversellOffer], render: Render, now: datetime) -> list[OversellOffer]:
        """Record the offers and queue their messages; those this process wrote (another may have told some)."""

        def make(conn: Connection) -> list[OversellOffer]:
            written = [made for offer in offers if (made := _insert(conn, offer, now)) is not None]
            enqueue_messages(conn, render(written), now)
            return written

        return await self.database.write.run(make) if offers else []

    async def oversell_offer_for(self, order: Order, user: ChatUser, now: datetime) -> OversellOffer | None:
        """The order's unanswered offer, made now for this chat when the order is at risk and was not told yet:
        a customer who asks about it hears the truth and the choices without waiting for the next scan."""
        if order.state not in TO_SHIP:
            return None
        async with self.database.read.connect() as conn:
            told = (await conn.execute(_offers().where(m.OrderRow.platform == order.platform,
                                                       m.OrderRow.order_no == order.order_no))).first()  # fmt: skip
            if told is not None:
                mine = told.choice is None and (told.channel, told.user_id) == (user.channel, user.user_id)
                return _offer(told, told.restock_at, await _variants(conn, told.sku)) if mine else None
            offer = await _order_at_risk(conn, order, user, now)
        made = await self.make_offers([offer], lambda offers: [], now) if offer else []
        return made[0] if made else None

    async def oversell_offer(self, offer_id: int) -> OversellOffer | None:
        async with self.database.read.connect() as conn:
            row = (await conn.execute(_offers().where(m.OversellOfferRow.id == offer_id))).first()
            if row is None:
                return None
            return _offer(row, row.restock_at, await _variants(conn, row.sku))

    async def answer_oversell(
        self, offer_id: int, choice: Choice, switch_to: str | None, case_id: int | None, now: datetime
    ) -> bool:
        """Record the customer's choice; False when they (or another of their chats) had chosen already."""
        offer = m.OversellOfferRow
        async with self.database.write.begin() as conn:
            done = await conn.execute(
                update(offer)
                .where(offer.id == offer_id, offer.choice.is_(None))
                .values(choice=choice.value, switch_to=switch_to, case_id=case_id, answered_at=now)
            )
        return bool(done.rowcount)

    async def restocked(self) -> list[OversellOffer]:
        """Customers who chose to wait for a SKU that is no longer oversold, not yet told."""
        offer, alert = m.OversellOfferRow, m.AlertRow
        still = exists().where(alert.kind == "oversell", alert.subject == offer.sku, alert.status != RESOLVED)
        query = _offers().where(offer.choice == Choice.WAIT.value, offer.restock_told_at.is_(None), ~still)
        async with self.database.read.connect() as conn:
            return [_offer(row, row.restock_at, ()) for row in await conn.execute(query)]

    async def tell_restocked(self, offers: Sequence[OversellOffer], messages: list[ChatMessage], now: datetime) -> bool:
        """Record that they heard and queue the messages, or neither when another process told them first."""
        offer = m.OversellOfferRow
        ids = [item.id for item in offers]

        def tell(conn: Connection) -> bool:
            marked = conn.execute(
                update(offer).where(offer.id.in_(ids), offer.restock_told_at.is_(None)).values(restock_told_at=now)
            )
            if marked.rowcount != len(ids):
                conn.rollback()
                return False
            enqueue_messages(conn, messages, now)
            return True

        return await self.database.write.run(tell) if ids else False


async def _newest_waiting(conn: AsyncConnection, sku: str, shortfall: int) -> list[Any]:
    """The newest orders waiting for the SKU until their quantities cover the shortfall: those that will not
    get it from what is on hand."""
    order, line = m.OrderRow, m.OrderLineRow
    waiting = (
        select(order.id, order.platform, order.order_no, line.qty, line.title)
        .join(line, and_(line.order_id == order.id, line.sku == sku, line.shipment_id.is_(None)))
        .where(order.state.in_(TO_SHIP))
        .order_by(order.created_at.desc(), order.id.desc())
        .limit(max(0, shortfall))  # each order waits for one at least
    )
    rows, covered = [], 0
    for row in await conn.execute(waiting):
        if covered >= shortfall:
            break
        covered += row.qty
        rows.append(row)
    return rows


async def _at_risk(conn: AsyncConnection, sku: str, shortfall: int) -> list[OversellOffer]:
    """The orders at risk with the chat bound last to each and no offer made yet."""
    order, binding, offer = m.OrderRow, m.ChatBindingRow, m.OversellOfferRow
    rows = await _newest_waiting(conn, sku, shortfall)
    if not rows:
        return []
    chats = (
        select(order.id.label("order_id"), binding.channel, binding.user_id, binding.created_at)
        .join(binding, and_(binding.customer_id == order.customer_id, binding.receiver_phone == order.receiver_phone))
        .where(order.id.in_([row.id for row in rows]))
        .where(~exists().where(offer.order_id == order.id, offer.sku == sku))
        .order_by(binding.created_at)
    )
    bound = {chat.order_id: chat for chat in await conn.execute(chats)}  # the last bound wins
    return [_new(row, sku, bound[row.id].channel, bound[row.id].user_id) for row in rows if row.id in bound]


async def _order_at_risk(conn: AsyncConnection, order: Order, user: ChatUser, now: datetime) -> OversellOffer | None:
    """An offer for this chat when one of the order's waiting SKUs is sold beyond what is on hand (as the scan
    finds it, read now) and the order is among those that will not get it."""
    waiting = sorted({line.sku for line in (order.waiting_lines if order.split else order.lines)})
    for sku, shortfall in (await conn.execute(_shortfalls(waiting))).all():
        for row in await _newest_waiting(conn, sku, shortfall):
            if (row.platform, row.order_no) == (order.platform, order.order_no):
                restock, variants = await _restock(conn, sku, now), await _variants(conn, sku)
                return replace(_new(row, sku, user.channel, user.user_id), restock_at=restock, variants=variants)
    return None


def _shortfalls(skus: list[str]) -> Any:
    """(sku, demand beyond stock) of these SKUs that are oversold."""
    demand, stock = m.SkuDemandRow, m.StockRow
    on_hand = select(func.coalesce(func.sum(stock.on_hand), 0)).where(stock.sku == demand.sku).scalar_subquery()
    return select(demand.sku, demand.committed - on_hand).where(demand.sku.in_(skus), demand.committed > on_hand)


def _new(row: Any, sku: str, channel: str, user_id: str) -> OversellOffer:
    return OversellOffer(0, row.platform, row.order_no, sku, row.title, row.qty, channel, user_id)


async def _restock(conn: AsyncConnection, sku: str, now: datetime) -> datetime | None:
    stock = m.StockRow
    query = select(func.min(stock.restock_at)).where(stock.sku == sku, stock.restock_at > now)
    return await conn.scalar(query)


async def _variants(conn: AsyncConnection, sku: str) -> tuple[Variant, ...]:
    """The product's other variants with stock to spare (on hand beyond their own waiting demand), most first."""
    item, other, stock, demand = m.SkuRow, m.SkuRow, m.StockRow, m.SkuDemandRow
    product = select(item.product).where(item.sku == sku).scalar_subquery()
    spare = (func.coalesce(func.sum(stock.on_hand), 0) - func.coalesce(func.max(demand.committed), 0)).label("spare")
    query = (
        select(other.sku, other.title, spare)
        .outerjoin(stock, stock.sku == other.sku)
        .outerjoin(demand, demand.sku == other.sku)
        .where(other.product == product, other.sku != sku)
        .group_by(other.sku, other.title)
        .having(spare > 0)
        .order_by(spare.desc(), other.sku)
        .limit(VARIANTS_OFFERED)
    )
    return tuple(Variant(row.sku, row.title) for row in await conn.execute(query))


def _offers() -> Any:
    offer, order, line = m.OversellOfferRow, m.OrderRow, m.OrderLineRow
    title = select(line.title).where(line.order_id == order.id, line.sku == offer.sku).limit(1).scalar_subquery()
    qty = select(func.sum(line.qty)).where(line.order_id == order.id, line.sku == offer.sku).scalar_subquery()
    return select(
        offer.id, order.platform, order.order_no, offer.sku, title.label("title"), qty.label("qty"),
        offer.channel, offer.user_id, offer.restock_at, offer.choice,
    ).join(order, order.id == offer.order_id)  # fmt: skip


def _offer(row: Any, restock_at: datetime | None, variants: tuple[Variant, ...]) -> OversellOffer:
    choice = Choice(row.choice) if row.choice else None
    return OversellOffer(row.id, row.platform, row.order_no, row.sku, row.title or row.sku, int(row.qty or 0),
                         row.channel, row.user_id, restock_at, variants, choice)  # fmt: skip


def _insert(conn: Connection, offer: OversellOffer, now: datetime) -> OversellOffer | None:
    """The offer with its id, or None when the order was told of the SKU already."""
    order = m.OrderRow
    order_id = select(order.id).where(order.platform == offer.platform, order.order_no == offer.order_no)
    values = {"order_id": order_id.scalar_subquery(), "sku": offer.sku, "channel": offer.channel,
              "user_id": offer.user_id, "restock_at": offer.restock_at, "told_at": now}  # fmt: skip
    statement = conflict_insert(conn.dialect.name, m.OversellOfferRow).values(values).on_conflict_do_nothing()
    made = conn.execute(statement.returning(m.OversellOfferRow.id)).scalar()
    return None if made is None else replace(offer, id=made)
