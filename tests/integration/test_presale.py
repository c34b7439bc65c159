"""Presale (预售) orders, on SQLite and PostgreSQL: the customer hears the deposit, the balance's window and the
shipping promise counted from the balance; 催发货 before the balance hurries nothing; a balance past its deadline
moves the order to its own state (audited, sent to the seller's systems); the ship-SLA scan keeps to the presale
promise; a cancel before the balance says what happens to the deposit; Taobao's export and the API carry it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

import nlu
from handlers.aftersales.policy import AfterSalesPolicy
from handlers.dialogue import Dialogue
from handlers.texts import say
from oms_client.alerts.desk import AlertStore
from oms_client.alerts.kinds import ScanLimits
from oms_client.clock import FixedClock
from oms_client.domain import OrderState
from oms_client.imports.importer import import_file
from oms_client.sql import models as m
from oms_client.sql.database import Database
from oms_client.stores.imports import SqlImports
from oms_client.stores.orders import SqlOrderStore
from oms_client.stores.presale import SqlPresale
from tests.conftest import NOW, SHANGHAI
from tests.helpers import ask
from tests.integration.test_aftersales_chat import cases_of, say_all
from tests.orders import PlacedOrder, add_order

LIMITS = ScanLimits()
ORDER_LIST = Path(__file__).parent.parent / "fixtures" / "imports" / "ExportOrderList202611201200.csv"
WAITING = "3891204455667703123"  # 等待买家付款 in the fixture


async def presale(database: Database, state: OrderState, **values: Any) -> PlacedOrder:
    """A presale order with a ¥50 deposit whose balance is paid from 11月25日 to 11月27日, shipped within 15 days."""
    order = await add_order(database, state)
    terms = {"presale": True, "presale_deposit": Decimal("50.00"), "balance_from": NOW + timedelta(days=3),
             "balance_due": NOW + timedelta(days=5), "presale_ship_days": 15}  # fmt: skip
    if state is OrderState.DEPOSIT_PAID:
        terms |= {"paid_at": None, "promised_ship_by": None}
    async with database.write.begin() as conn:
        row = m.OrderRow
        await conn.execute(update(row).where(row.order_no == order.order_no).values(**terms | values))
    return order


async def test_a_deposit_paid_order_tells_the_deposit_the_balance_window_and_the_promise(
    database: Database, dialogue: Dialogue
) -> None:
    order = await presale(database, OrderState.DEPOSIT_PAID)
    await ask(dialogue, f"订单 {order.order_no} 怎么样了")
    answer = await ask(dialogue, order.phone_tail)
    assert "预售：已付定金，待付尾款" in answer
    assert "预售商品，您已付定金 ¥50.00" in answer
    assert "尾款 11月25日 10:00 开始支付，11月27日 10:00 截止" in answer
    assert "付尾款后 15 天内发货" in answer
    hurried = await ask(dialogue, "怎么还不发货")
    assert "催促" not in hurried and "尾款 11月25日 10:00 开始支付" in hurried


async def test_in_the_balance_window_the_customer_is_told_to_pay_it_and_in_english_too(
    database: Database, dialogue: Dialogue
) -> None:
    order = await presale(database, OrderState.DEPOSIT_PAID, balance_from=NOW - timedelta(hours=1))
    await ask(dialogue, f"where is my order {order.order_no}")
    answer = await ask(dialogue, order.phone_tail)
    assert "The balance can be paid now, until Nov 27 10:00" in answer
    assert "you've paid the deposit ¥50.00" in answer


async def test_a_paid_presale_order_is_within_its_own_promise_and_the_scan_agrees(
    database: Database, dialogue: Dialogue, alerts: AlertStore
) -> None:
    # Balance paid four days ago: the platform's 48 hours have passed, the presale's 15 days have not.
    paid = NOW - timedelta(days=4)
    order = await presale(database, OrderState.PAID, paid_at=paid, promised_ship_by=paid + timedelta(days=15))
    ordinary = await add_order(database, OrderState.PAID, phone="13900001111")
    async with database.write.begin() as conn:
        row = m.OrderRow
        await conn.execute(update(row).where(row.order_no == ordinary.order_no)
                           .values(paid_at=paid, promised_ship_by=paid + LIMITS.ship_within("tmall")))  # fmt: skip
    await ask(dialogue, f"订单 {order.order_no} 怎么还不发货")
    answer = await ask(dialogue, order.phone_tail)
    assert "预售订单，约定 12月3日 前发货，目前还在约定时间内" in answer and "超过" not in answer
    found = await alerts.scan(NOW, LIMITS)
    late = {alert.subject for alert in found.opened if alert.kind in ("ship_overdue", "ship_due_soon")}
    assert late == {f"tmall:{ordinary.order_no}"}


async def test_a_balance_past_its_deadline_is_its_own_state_once_audited_and_sent_out(
    database: Database, dialogue: Dialogue
) -> None:
    order = await presale(database, OrderState.DEPOSIT_PAID, balance_due=NOW - timedelta(minutes=1))
    on_time = await presale(database, OrderState.DEPOSIT_PAID)
    assert await SqlPresale(database, publish_events=True).expire_balances(NOW) == 1
    assert await SqlPresale(database, publish_events=True).expire_balances(NOW + timedelta(minutes=1)) == 0
    async with database.read.connect() as conn:
        states = dict((await conn.execute(select(m.OrderRow.order_no, m.OrderRow.state))).all())
        audit = (await conn.execute(select(m.AuditLogRow.action, m.AuditLogRow.subject_id))).all()
        events = (await conn.scalars(select(m.OutboxRow.payload).where(m.OutboxRow.kind == "event"))).all()
    assert (states[order.order_no], states[on_time.order_no]) == ("balance_overdue", "deposit_paid")
    assert ("order.balance_overdue", f"tmall:{order.order_no}") in audit
    assert [(e["event"], e["data"]["order_id"]) for e in events] == [("order.balance_overdue", order.order_no)]
    await ask(dialogue, f"订单 {order.order_no} 什么时候发货")
    answer = await ask(dialogue, order.phone_tail)
    assert "尾款没有在截止时间（11月22日 09:59）前付清，订单不会再发货" in answer


async def test_cancelling_before_the_balance_says_the_deposit_is_kept_unless_the_shop_refunds_it(
    database: Database, store: SqlOrderStore, dialogue: Dialogue, clock: FixedClock
) -> None:
    order = await presale(database, OrderState.DEPOSIT_PAID)
    summary = await say_all(dialogue, f"取消订单 {order.order_no}", order.phone_tail)
    assert say("as_summary_deposit_kept", "zh") in summary
    await say_all(dialogue, "确认")
    [found] = await store.find_orders(order.order_no)
    [case] = await cases_of(store, order)
    assert found.state is OrderState.CANCELLED and case.detail["deposit_refund"] is False
    policy = AfterSalesPolicy(presale_deposit_refundable=True)
    generous = Dialogue(store, nlu.parse, clock, SHANGHAI, policy=policy)
    other = await presale(database, OrderState.DEPOSIT_PAID)
    summary = await say_all(generous, f"取消订单 {other.order_no}", other.phone_tail, user="u2")
    assert say("as_summary_deposit_back", "zh") in summary


def _export(rows: dict[str, dict[str, str]]) -> bytes:
    """The fixture's order list with some rows' columns changed (by order number): Taobao's GBK as it writes it."""
    lines = ORDER_LIST.read_bytes().decode("gb18030").split("\r\n")
    header = lines[0].split(",")
    for index, line in enumerate(lines):
        for order_no, columns in rows.items():
            if order_no in line:
                cells = line.split(",")
                for name, value in columns.items():
                    cells[header.index(name)] = value
                lines[index] = ",".join(cells)
    return "\r\n".join(lines).encode("gbk")


async def test_taobao_s_stage_column_makes_a_presale_order_and_a_newer_file_its_balance_paid(
    database: Database, store: SqlOrderStore, tmp_path: Path
) -> None:
    staged = tmp_path / "ExportOrderList202611221000.csv"
    staged.write_bytes(_export({WAITING: {"分阶段订单信息": "定金已付，尾款未付"}}))
    writer = SqlImports(database, LIMITS.ship_within)
    await import_file(staged, "taobao", writer, SHANGHAI, NOW)
    [order] = await store.find_orders(WAITING)
    assert order.state is OrderState.DEPOSIT_PAID and order.presale is not None
    newer = tmp_path / "ExportOrderList202611221200.csv"
    paid = {"分阶段订单信息": "定金和尾款都付", "订单状态": "买家已付款，等待卖家发货",
            "订单付款时间 ": "2026-11-22 09:00:00"}  # fmt: skip
    newer.write_bytes(_export({WAITING: paid}))
    assert (await import_file(newer, "taobao", writer, SHANGHAI, NOW)).updated == 1
    [order] = await store.find_orders(WAITING)
    assert order.state is OrderState.PAID and order.presale is not None
    assert order.promised_ship_by == order.paid_at + LIMITS.ship_within("taobao")  # the export names no days
