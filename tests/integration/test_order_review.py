"""The automatic review of new paid orders (自动审单), on SQLite and PostgreSQL: the shop's rules hold an order
once and let the rest through; a held order is not "late" but an `order_held` alert; ops list, release (its ship
promise starting then) or cancel it from their chat, each audited and sent to the seller's systems; and its
customer is told it is being reviewed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

import nlu
from handlers.dialogue import Dialogue
from handlers.front import Front
from handlers.messages import IncomingMessage
from handlers.staff.chats import AgentChats
from handlers.staff.desk import AgentDesk
from handlers.staff.ops import OpsCommands
from handlers.staff.roster import Roster, StaffMember
from oms_client.alerts.desk import AlertStore
from oms_client.alerts.kinds import ScanLimits
from oms_client.clock import FixedClock
from oms_client.domain import OrderState
from oms_client.review import ReviewRules
from oms_client.sql import models as m
from oms_client.sql.database import Database
from oms_client.stores.orders import SqlOrderStore
from oms_client.stores.review import SqlReview
from tests.conftest import NOW, SHANGHAI
from tests.helpers import ask
from tests.orders import PlacedOrder, add_order

RULES = ReviewRules(note_keywords=("改地址",), amount_over=Decimal("2000"), same_address_per_hour=2)
WANG = StaffMember(id="wangfang", name="王芳", roles=("ops",), telegram=1001)
LIMITS = ScanLimits()


def review(database: Database) -> SqlReview:
    return SqlReview(database, LIMITS.ship_within, publish_events=True)


async def change(database: Database, order: PlacedOrder, **values: Any) -> None:
    async with database.write.begin() as conn:
        await conn.execute(update(m.OrderRow).where(m.OrderRow.order_no == order.order_no).values(**values))


async def held(database: Database) -> dict[str, str | None]:
    async with database.read.connect() as conn:
        rows = await conn.execute(select(m.OrderRow.order_no, m.OrderRow.hold_reason, m.OrderRow.reviewed_at))
        found = {row.order_no: row.hold_reason for row in rows if row.reviewed_at is not None}
    return found


def ops(database: Database, clock: FixedClock) -> Front:
    store = SqlOrderStore(database)
    roster = Roster((WANG,))
    commands = OpsCommands(AlertStore(database), roster, clock, SHANGHAI, review(database))
    dialogue = Dialogue(store, nlu.parse, clock, SHANGHAI)
    return Front(dialogue, commands, AgentDesk(store, clock, SHANGHAI, ""), AgentChats(store, clock, SHANGHAI), roster)


async def say(front: Front, text: str) -> str:
    [reply] = await front.handle(IncomingMessage(channel="telegram", chat_id="1001", user_id="1001", text=text))
    return reply.text


async def test_the_rules_hold_a_new_paid_order_once_and_let_the_rest_through(database: Database) -> None:
    note = await add_order(database, OrderState.PAID, phone="13700000001")
    await change(database, note, buyer_note="下错了，麻烦改地址", receiver_detail="学院路 1 号")
    dear = await add_order(database, OrderState.PAID, phone="13700000002")
    await change(database, dear, total=Decimal("2999.00"), receiver_detail="解放路 8 号")
    fine = await add_order(database, OrderState.PAID, phone="13700000003")
    await change(database, fine, receiver_detail="学院路 3 号")
    shipped = await add_order(database, OrderState.SHIPPED, phone="13700000004")
    await change(database, shipped, buyer_note="改地址", receiver_detail="学院路 4 号")  # on its way: too late
    assert await review(database).review_new(RULES, NOW) == 2
    assert await review(database).review_new(RULES, NOW + timedelta(minutes=1)) == 0  # each order looked at once
    assert await held(database) == {note.order_no: "买家留言含“改地址”", dear.order_no: "金额 ¥2999.00 超过审核线",
                                     fine.order_no: None, shipped.order_no: None}  # fmt: skip
    async with database.read.connect() as conn:
        audited = (await conn.execute(select(m.AuditLogRow.action, m.AuditLogRow.subject_id))).all()
    assert sorted(audited) == sorted([("order.held", f"tmall:{o.order_no}") for o in (note, dear)])
    total, first = await review(database).held(limit=1)  # how many wait, and the longest-waiting
    assert total == 2 and len(first) == 1


async def test_a_third_order_to_one_address_within_the_hour_is_held(database: Database) -> None:
    first, second, third = [await add_order(database, OrderState.PAID, phone=f"1370000001{i}") for i in range(3)]
    for minutes, order in ((50, first), (20, second), (0, third)):
        await change(database, order, created_at=NOW - timedelta(minutes=minutes))
    await review(database).review_new(RULES, NOW)
    found = await held(database)
    assert (found[first.order_no], found[second.order_no]) == (None, None)
    assert found[third.order_no] == "同一地址一小时内第 3 单"


async def test_a_held_order_is_an_alert_not_a_late_one_until_released_with_a_fresh_promise(
    database: Database, alerts: AlertStore
) -> None:
    order = await add_order(database, OrderState.PAID)
    await change(database, order, buyer_note="改地址", promised_ship_by=NOW - timedelta(hours=1))
    await review(database).review_new(RULES, NOW)
    found = await alerts.report(await alerts.scan(NOW, LIMITS))
    [alert] = found.open
    assert (alert.kind, alert.subject, alert.severity) == ("order_held", f"tmall:{order.order_no}", "warning")
    later = await alerts.report(await alerts.scan(NOW + timedelta(hours=3), LIMITS))  # past the 2 h promised
    assert [(a.kind, a.severity) for a in later.open if a.kind == "order_held"] == [("order_held", "critical")]
    front = ops(database, FixedClock(NOW + timedelta(hours=3)))
    listed = await say(front, "/holds")
    assert listed.startswith("待审核订单（共 1 单，最早的在前）：")
    assert f"天猫 {order.order_no} · ¥99.00 · 买家留言含“改地址” · 已等待 3.0 小时" in listed
    assert await say(front, f"/release {order.order_no}") == f"订单 {order.order_no} 已放行，发货时限从现在起重新计算。"
    assert await say(front, f"/release {order.order_no}") == f"没有待审核的订单 {order.order_no}，发送 /holds 查看。"
    [released] = await SqlOrderStore(database).find_orders(order.order_no)
    assert released.hold is None and released.promised_ship_by == NOW + timedelta(hours=3 + 48)
    after = await alerts.report(await alerts.scan(NOW + timedelta(hours=3), LIMITS))
    assert after.open == [] and [a.kind for a in after.resolved] == ["order_held"]


async def test_a_held_order_cancelled_from_the_ops_chat_is_audited_and_sent_to_the_sellers_systems(
    database: Database,
) -> None:
    order = await add_order(database, OrderState.PAID)
    await change(database, order, buyer_note="改地址")
    await review(database).review_new(RULES, NOW)
    front = ops(database, FixedClock(NOW))
    assert "请写明取消原因" in await say(front, f"/hold-cancel {order.order_no}")
    assert (
        await say(front, f"/hold-cancel {order.order_no} 地址无法送达")
        == f"订单 {order.order_no} 已取消（原因：地址无法送达）。"
    )
    [cancelled] = await SqlOrderStore(database).find_orders(order.order_no)
    async with database.read.connect() as conn:
        audit = (await conn.execute(select(m.AuditLogRow.actor, m.AuditLogRow.action, m.AuditLogRow.detail)
                                    .where(m.AuditLogRow.action == "order.cancelled"))).one()  # fmt: skip
        events = [row.payload for row in await conn.execute(select(m.OutboxRow.payload))]
    assert cancelled.state is OrderState.CANCELLED and cancelled.hold is None
    assert (audit.actor, audit.detail["reason"], audit.detail["held_for"]) == (
        "王芳",
        "地址无法送达",
        "买家留言含“改地址”",
    )
    assert [(e["event"], e["data"]["reason"]) for e in events] == [("order.cancelled", "地址无法送达")]


async def test_the_customer_of_a_held_order_hears_it_is_being_reviewed(database: Database, dialogue: Dialogue) -> None:
    order = await add_order(database, OrderState.PAID)
    await change(database, order, buyer_note="改地址")
    await review(database).review_new(RULES, NOW)
    await ask(dialogue, f"订单 {order.order_no} 什么时候发货")
    said = await ask(dialogue, order.phone_tail)
    assert "订单正在审核，通常 2 小时内完成（11月22日 12:00 前），审核通过后按约定时间发货" in said
    assert "超过承诺发货时间" not in said
