"""An external OMS behind the store, over HTTP against a fake, on SQLite and PostgreSQL: an order only the OMS
holds is answered in chat and kept; the OMS is asked about a number once per freshness interval, found or not;
its newer status shows after that; when it is down the bot answers politely with what the store holds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest_asyncio

from bot.bootstrap import App, bootstrap
from bot.settings import Settings
from oms_client.clock import FixedClock
from oms_client.domain import OrderState
from oms_client.sql.database import Database
from tests.conftest import NOW
from tests.fakes.oms import FakeOms
from tests.helpers import ask

TOKEN = "oms-token-42"
NUMBER = "300987654321"


def held(status: str = "paid", **more: Any) -> dict[str, Any]:
    return {
        "platform": "jd", "order_id": NUMBER, "status": status, "created_at": "2026-11-20T10:15:00+08:00",
        "paid_at": "2026-11-20T10:16:00+08:00",
        "receiver": {"name": "钱多多", "phone": "13566667777", "province": "浙江省", "city": "宁波市",
                     "district": "鄞州区", "address": "天童南路 1 号"},
        "lines": [{"sku": "TEA-250", "title": "龙井茶 250g", "qty": 1, "price": "168.00"}],
    } | more  # fmt: skip


@pytest_asyncio.fixture
async def oms() -> AsyncIterator[FakeOms]:
    fake = FakeOms(TOKEN, {NUMBER: held()})
    await fake.start()
    yield fake
    await fake.stop()


@asynccontextmanager
async def running(database: Database, oms: FakeOms) -> AsyncIterator[App]:
    app = await bootstrap(Settings(oms_url=oms.base, oms_token=TOKEN), clock=FixedClock(NOW), database=database)
    try:
        yield app
    finally:
        await app.clients.close()


async def test_an_order_only_the_oms_holds_is_answered_and_kept(database: Database, oms: FakeOms) -> None:
    async with running(database, oms) as app:
        assert "后四位" in await ask(app.dialogue, f"订单 {NUMBER} 什么时候发货")
        answer = await ask(app.dialogue, "7777")
        assert "验证成功" in answer and "承诺发货：11月21日 10:16" in answer  # ship-by from paid + JD's 24 h
        assert oms.asked == [NUMBER]  # the tail's turn found it kept in the store
    assert await app.store.count_orders() == 1


async def test_a_number_nobody_holds_is_asked_about_once_per_interval(database: Database, oms: FakeOms) -> None:
    async with running(database, oms) as app:
        for _ in range(3):
            await app.store.find_orders("300000000000")
        assert oms.asked == ["300000000000"]
        app.store.elsewhere.asked.every = 0  # type: ignore[union-attr]  # the interval passed
        await app.store.find_orders("300000000000")
        assert oms.asked == ["300000000000"] * 2


async def test_a_newer_status_in_the_oms_shows_once_the_copy_is_stale(database: Database, oms: FakeOms) -> None:
    async with running(database, oms) as app:
        [first] = await app.store.find_orders(NUMBER)
        oms.orders[NUMBER] = held("shipped", shipments=[{"courier": "顺丰速运", "tracking_no": "SF1499998887776"}])
        [same] = await app.store.find_orders(NUMBER)
        app.store.elsewhere.asked.every = 0  # type: ignore[union-attr]
        [fresh] = await app.store.find_orders(NUMBER)
    assert (first.state, same.state, fresh.state) == (OrderState.PAID, OrderState.PAID, OrderState.SHIPPED)
    assert [s.tracking_no for s in fresh.shipments] == ["SF1499998887776"]


async def test_when_the_oms_is_down_the_bot_says_so_and_counts_no_wrong_guess(database: Database, oms: FakeOms) -> None:
    oms.down = True
    async with running(database, oms) as app:
        await ask(app.dialogue, f"订单 {NUMBER} 到哪了")
        for _ in range(6):  # more than a chat's wrong guesses allowed an hour
            assert "订单系统暂时连不上" in await ask(app.dialogue, "7777")
        oms.down = False
        assert "验证成功" in await ask(app.dialogue, "7777")  # not locked out by the outage
