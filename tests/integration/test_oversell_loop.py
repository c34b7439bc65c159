"""The oversell loop, through the real app and the fake Bot API, on SQLite and PostgreSQL: when a SKU is sold
beyond stock, the customers of the newest orders that will not get it are told once, in the chat they proved
the order in (nobody else), with buttons to wait (the restock date from the stock record), switch to a variant
in stock or cancel; their choice opens the matching case or records the wait; ops see the answers in the alert;
when stock arrives the alert clears and those who waited hear it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest_asyncio
from sqlalchemy import insert, select, update

from handlers.staff.alert_texts import describe
from oms_client.case_rules import CaseKind, CaseState
from oms_client.domain import OrderState
from oms_client.imports.records import StockLevel
from oms_client.sql import models as m
from oms_client.sql.database import Database
from oms_client.stores.ingest import SqlIngest
from tests.conftest import NOW
from tests.fakes.telegram_api import Sent
from tests.integration.test_aftersales_chat import cases_of
from tests.integration.test_customer_notices import prove, scan_later
from tests.integration.test_telegram import CUSTOMER, Rig, start_rig
from tests.orders import PlacedOrder, add_order

OVERSOLD, VARIANT = "TEE-BLK-M", "TEE-BLK-L"
OTHER_CHAT = 515151


@pytest_asyncio.fixture
async def rig(database: Database, tmp_path: Path) -> AsyncIterator[Rig]:
    async with start_rig(database, tmp_path, shop_toml="") as built:
        yield built


async def three_orders(database: Database) -> tuple[PlacedOrder, PlacedOrder, PlacedOrder]:
    """Three paid orders of a black M T-shirt, oldest first; the L is a variant of the same product in stock."""
    orders = [await add_order(database, OrderState.PAID, phone=f"1370000000{n}") for n in range(3)]
    async with database.write.begin() as conn:
        await conn.execute(update(m.SkuRow).where(m.SkuRow.sku == OVERSOLD).values(product="TEE"))
        await conn.execute(insert(m.SkuRow).values(sku=VARIANT, title="纯棉T恤 黑色 L", price=Decimal("99.00"),
                                                   product="TEE"))  # fmt: skip
        await conn.execute(insert(m.StockRow).values(sku=VARIANT, warehouse="HZ1", on_hand=10))
    return orders[0], orders[1], orders[2]


async def sell_out(database: Database) -> None:
    """The warehouse finds one M where the system said plenty (more by 11月25日): the two newest orders will not
    get theirs."""
    async with database.write.begin() as conn:
        await conn.execute(update(m.StockRow).where(m.StockRow.sku == OVERSOLD)
                           .values(on_hand=1, restock_at=NOW + timedelta(days=3)))  # fmt: skip


async def oversold(database: Database) -> tuple[PlacedOrder, PlacedOrder, PlacedOrder]:
    orders = await three_orders(database)
    await sell_out(database)
    return orders


async def offered(rig: Rig, database: Database) -> tuple[PlacedOrder, Sent]:
    """The newest order's customer proved it before the stock ran out; the scan runs: the offer they get."""
    _, _, newest = await three_orders(database)
    await prove(rig, newest)
    await sell_out(database)
    [offer] = await scan_later(rig, minutes=5)
    return newest, offer


async def press(rig: Rig, sent: Sent, label: str) -> str:
    replies = await rig.say(rig.api.press(sent, label))
    return "\n".join(reply.text for reply in replies if reply.chat_id == str(CUSTOMER))


async def line_skus(database: Database, order: PlacedOrder) -> list[str]:
    line, row = m.OrderLineRow, m.OrderRow
    query = select(line.sku).join(row, row.id == line.order_id).where(row.order_no == order.order_no)
    async with database.read.connect() as conn:
        return list((await conn.scalars(query)).all())


async def oversell_alert(rig: Rig) -> str:
    [alert] = [a for a in await rig.app.alerts.open_alerts(limit=50) if a.kind == "oversell"]
    return describe(alert, rig.clock.now())


async def test_only_the_at_risk_customer_who_proved_the_order_is_told_once_with_choices(
    rig: Rig, database: Database
) -> None:
    oldest, _, newest = await three_orders(database)
    await prove(rig, newest)
    await prove(rig, oldest, chat=OTHER_CHAT)  # proved too, but the one left on hand is theirs
    await sell_out(database)
    [offer] = await scan_later(rig, minutes=5)
    assert (
        newest.order_no in offer.text
        and "卖得太快，仓库暂时缺货" in offer.text
        and "预计 11月25日 补货到仓" in offer.text
    )
    assert [label for row in offer.buttons for label, _ in row] == ["等待补货", "换成 纯棉T恤 黑色 L", "取消订单并退款"]
    assert all(len(data.encode()) <= 64 and data.startswith("缺货 ") for data in offer.callback_data)
    assert {sent.chat_id for sent in rig.api.sent if "缺货" in sent.text} == {str(CUSTOMER)}  # middle never chatted
    assert await scan_later(rig, minutes=5) == []  # once per order
    assert "已通知顾客 1 位" in await oversell_alert(rig)


async def test_switching_to_the_variant_in_stock_changes_the_line_and_closes_the_case(
    rig: Rig, database: Database
) -> None:
    order, offer = await offered(rig, database)
    answer = await press(rig, offer, "换成 纯棉T恤 黑色 L")
    assert "已为您换成「纯棉T恤 黑色 L」" in answer
    assert await line_skus(database, order) == [VARIANT]
    [case] = await cases_of(rig.app.store, order)
    assert (case.kind, case.state, case.detail["switch_to"]) == (CaseKind.EXCHANGE, CaseState.CLOSED, VARIANT)
    assert await scan_later(rig, minutes=5) == []
    assert "（换款 1）" in await oversell_alert(rig)  # still short by one: the middle order's, never told
    again = await press(rig, offer, "取消订单并退款")
    assert (
        "已经选择过了（换款）" in again
        and (await rig.app.store.find_orders(order.order_no))[0].state is OrderState.PAID
    )


async def test_cancelling_closes_the_order_with_a_refund(rig: Rig, database: Database) -> None:
    order, offer = await offered(rig, database)
    assert f"订单 {order.order_no} 已为您取消" in await press(rig, offer, "取消订单并退款")
    [found] = await rig.app.store.find_orders(order.order_no)
    [case] = await cases_of(rig.app.store, order)
    assert found.state is OrderState.CANCELLED and (case.kind, case.reason) == (CaseKind.CANCEL, "oversold")


async def test_a_customer_who_waits_hears_when_the_stock_arrives_and_the_alert_clears(
    rig: Rig, database: Database
) -> None:
    order, offer = await offered(rig, database)
    assert "到货后第一时间发出" in await press(rig, offer, "等待补货")
    assert await scan_later(rig, minutes=5) == []  # still oversold: nothing new to say
    assert "（等待补货 1）" in await oversell_alert(rig)
    await SqlIngest(database).set_stock([StockLevel(OVERSOLD, "HZ1", 20)])
    [told] = await scan_later(rig, minutes=5)
    assert "已经补货到仓" in told.text and order.order_no in told.text
    assert [a for a in await rig.app.alerts.open_alerts(limit=50) if a.kind == "oversell"] == []
    assert await scan_later(rig, minutes=5) == []


async def test_a_notice_is_answered_only_from_the_chat_it_was_sent_to(rig: Rig, database: Database) -> None:
    order, offer = await offered(rig, database)
    cancel = next(data for row in offer.buttons for label, data in row if label == "取消订单并退款")
    [reply] = await rig.say(rig.api.text_update(OTHER_CHAT, cancel))
    assert "没有找到这条缺货通知" in reply.text
    assert (await rig.app.store.find_orders(order.order_no))[0].state is OrderState.PAID


async def test_asking_about_an_order_at_risk_brings_the_choices_at_once_and_the_scan_does_not_repeat_them(
    rig: Rig, database: Database
) -> None:
    _, _, newest = await oversold(database)
    await rig.say(rig.api.text_update(CUSTOMER, f"订单 {newest.order_no} 怎么还不发货"))
    answer, offer = await rig.say(rig.api.text_update(CUSTOMER, newest.phone_tail))
    assert "已为您催促仓库尽快发货" in answer.text
    assert offer.text.startswith(f"订单 {newest.order_no}（天猫）里的「纯棉T恤 黑色 M」×1 卖得太快")
    assert "等待补货" in [label for row in offer.buttons for label, _ in row]
    assert await scan_later(rig, minutes=5) == []
    assert "已为您换成" in await press(rig, offer, "换成 纯棉T恤 黑色 L")
    assert await line_skus(database, newest) == [VARIANT]
