"""Customers told, unasked, that their own order is late or their parcel stuck: once per order per day, in
the chat they proved the order in, on SQLite and PostgreSQL, through the real app and the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest_asyncio

from oms_client.domain import OrderState
from oms_client.sql import models as m
from oms_client.sql.database import Database
from oms_client.stores.transit_times import SqlTransitTimes
from tests.fakes.telegram_api import Sent
from tests.helpers import count_rows
from tests.integration.test_telegram import CUSTOMER, Rig, start_rig
from tests.orders import PlacedOrder, add_delivered, add_order


@pytest_asyncio.fixture
async def rig(database: Database, tmp_path: Path) -> AsyncIterator[Rig]:
    async with start_rig(database, tmp_path, shop_toml="") as built:
        yield built


async def prove(rig: Rig, order: PlacedOrder, chat: int = CUSTOMER) -> None:
    await rig.say(rig.api.text_update(chat, f"订单 {order.order_no} 到哪了"))
    [proved] = await rig.say(rig.api.text_update(chat, order.phone_tail))
    assert "验证成功" in proved.text


async def scan_later(rig: Rig, **later: float) -> list[Sent]:
    """Time passes, the scheduled scan runs (and the notices after it); what reached the customer."""
    rig.clock.advance(**later)
    before = len(rig.api.sent)
    assert await rig.app.jobs.scan_tick()
    await rig.settle()
    return [sent for sent in rig.api.sent[before:] if sent.chat_id == str(CUSTOMER)]


async def test_a_customer_whose_order_is_late_is_told_once_a_day_with_what_is_being_done(
    rig: Rig, database: Database
) -> None:
    order = await add_order(database, OrderState.PAID)  # promised to ship within a day
    await prove(rig, order)
    assert await scan_later(rig, hours=2) == []  # not late yet
    [told] = await scan_later(rig, days=1)
    assert order.order_no in told.text and "没能按约定时间发出" in told.text and "已请仓库优先处理" in told.text
    assert [label for row in told.buttons for label, _ in row] == ["我的订单", "转人工"]
    assert await scan_later(rig, minutes=5) == []  # the next scan, the same day: nothing more
    assert await scan_later(rig, hours=3) == []
    [again] = await scan_later(rig, days=1)  # still late the next day: told once more
    assert order.order_no in again.text
    assert await count_rows(database, m.CustomerNoticeRow) == 2


async def test_a_stuck_parcel_is_explained_and_nobody_who_never_chatted_is_written_to(
    rig: Rig, database: Database
) -> None:
    shipped = await add_order(database, OrderState.SHIPPED)
    await add_order(database, OrderState.PAID, phone="13900002222")  # late too, but its customer never chatted
    await prove(rig, shipped)
    [told] = await scan_later(rig, days=3)
    assert f"顺丰速运 {shipped.tracking_no}" in told.text and "小时没有新的物流信息" in told.text
    assert await count_rows(database, m.CustomerNoticeRow) == 1
    assert {sent.chat_id for sent in rig.api.sent} == {str(CUSTOMER)}


async def test_a_parcel_slower_than_its_route_is_explained_before_it_stalls(rig: Rig, database: Database) -> None:
    await add_delivered(database, "SF", "浙江省", [20.0 + hour for hour in range(40)])
    await SqlTransitTimes(database).learn(rig.clock.now())
    slow = await add_order(database, OrderState.SHIPPED, shipped_ago=timedelta(days=3))  # still moving
    await prove(rig, slow)
    [told] = await scan_later(rig, minutes=5)
    assert (
        f"顺丰速运 {slow.tracking_no}" in told.text and "比平常慢了一些：已发出 3.0 天，通常 2.3 天内送达" in told.text
    )


async def test_one_message_lists_every_late_order_of_a_chat(rig: Rig, database: Database) -> None:
    first = await add_order(database, OrderState.PAID, phone="13700001111")
    second = await add_order(database, OrderState.PAID, phone="13700002222")
    await prove(rig, first)
    await prove(rig, second)
    [told] = await scan_later(rig, days=2)
    assert first.order_no in told.text and second.order_no in told.text


async def test_a_shop_can_turn_customer_notices_off(database: Database, tmp_path: Path) -> None:
    async with start_rig(database, tmp_path, shop_toml="[alerts]\ntell_customers = false\n") as rig:
        order = await add_order(database, OrderState.PAID)
        await prove(rig, order)
        assert await scan_later(rig, days=2) == []
        assert await count_rows(database, m.CustomerNoticeRow) == 0
