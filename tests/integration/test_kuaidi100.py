"""快递100 over HTTP, on SQLite and PostgreSQL: its signed pushes become the parcel's scans once (a push sent
again adds nothing), move the order (signed → delivered) and show in chat; a push with a wrong signature changes
nothing; every waybill on its way is subscribed once, a refused subscription is tried again, an aborted one
subscribed anew."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest_asyncio

from bot.bootstrap import App
from bot.couriers import CALLBACK_PREFIX
from bot.settings import Settings
from oms_client.alerts.kinds import ScanLimits
from oms_client.clock import FixedClock
from oms_client.couriers.kuaidi100 import ANSWER_TAKEN
from oms_client.domain import OrderState, TrackingState
from oms_client.sql.database import Database
from tests.conftest import NOW
from tests.fakes.kuaidi100 import FakeKuaidi100, push
from tests.helpers import app_on_loopback, ask
from tests.orders import PlacedOrder, add_order

FIXTURES = Path(__file__).parent.parent / "fixtures" / "kuaidi100"
KEY, SALT, CUSTOMER = "kd100-key", "salt-for-pushes-0123", "CUSTOMER42"


def pushed(name: str, order: PlacedOrder) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    body["lastResult"]["nu"] = order.tracking_no
    return body


@pytest_asyncio.fixture
async def kuaidi100() -> AsyncIterator[FakeKuaidi100]:
    fake = FakeKuaidi100(KEY, customer=CUSTOMER)
    await fake.start()
    yield fake
    await fake.stop()


@asynccontextmanager
async def serving(
    database: Database, fake: FakeKuaidi100, clock: FixedClock | None = None
) -> AsyncIterator[tuple[App, str]]:
    settings = Settings(kuaidi100_key=KEY, kuaidi100_salt=SALT, kuaidi100_api_base=fake.base,
                        kuaidi100_customer=CUSTOMER, public_url="https://shop.example.com")  # fmt: skip
    async with app_on_loopback(settings, database, clock or FixedClock(NOW)) as (app, base):
        yield app, f"{base}{CALLBACK_PREFIX}kuaidi100"


async def subscribe(app: App) -> None:
    [job] = [job for job in app.jobs.periodic if job.name == "kuaidi100 subscriptions"]
    await app.jobs.periodic_tick(job)


async def test_signed_pushes_become_scans_once_and_move_the_order(database: Database, kuaidi100: FakeKuaidi100) -> None:
    order = await add_order(database, OrderState.SHIPPED, courier="SF")
    async with serving(database, kuaidi100) as (app, url):
        assert await push(url, pushed("push_in_transit.json", order), SALT) == (200, ANSWER_TAKEN)
        assert await push(url, pushed("push_signed.json", order), SALT) == (200, ANSWER_TAKEN)
        assert await push(url, pushed("push_signed.json", order), SALT) == (200, ANSWER_TAKEN)  # 快递100 retried
        [found] = await app.store.find_orders(order.order_no)
        await ask(app.dialogue, f"订单 {order.order_no} 到哪了")
        answer = await ask(app.dialogue, order.phone_tail)
    texts = [event.text for event in found.shipments[0].events]
    assert texts.count("已签收，签收人：本人") == 1 and texts.count("快件已到达【杭州转运中心】") == 1
    assert found.shipments[0].latest_event is not None
    assert found.shipments[0].latest_event.state is TrackingState.SIGNED
    assert found.state is OrderState.DELIVERED
    assert "已签收，签收人：本人" in answer


async def test_a_push_that_disagrees_with_the_store_wins(database: Database, kuaidi100: FakeKuaidi100) -> None:
    order = await add_order(database, OrderState.SHIPPED, courier="SF")  # its own scans: collected, 运输中 3 h ago
    async with serving(database, kuaidi100) as (app, url):
        await push(url, pushed("push_in_transit.json", order), SALT)
        [found] = await app.store.find_orders(order.order_no)
    parcel = found.shipments[0]
    assert [event.text for event in parcel.events] == ["顺丰速运 已收取快件", "快件已到达【杭州转运中心】"]
    assert parcel.latest_event is not None and parcel.latest_event.text == "快件已到达【杭州转运中心】"


async def test_a_signed_push_clears_the_stall_alert(database: Database, kuaidi100: FakeKuaidi100) -> None:
    order = await add_order(database, OrderState.SHIPPED, courier="SF")
    later = NOW + timedelta(days=2)  # its latest scan 51 hours old: SF's limit is 36
    async with serving(database, kuaidi100, FixedClock(later)) as (app, url):
        stalled = await app.alerts.report(await app.alerts.scan(later, ScanLimits()))
        await push(url, pushed("push_signed.json", order), SALT)
        cleared = await app.alerts.report(await app.alerts.scan(later, ScanLimits()))
    assert [(a.kind, a.subject) for a in stalled.open] == [("transit_stalled", order.tracking_no)]
    assert [(a.kind, a.subject) for a in cleared.resolved] == [("transit_stalled", order.tracking_no)]


async def test_a_push_with_a_wrong_signature_changes_nothing(database: Database, kuaidi100: FakeKuaidi100) -> None:
    order = await add_order(database, OrderState.SHIPPED, courier="SF")
    async with serving(database, kuaidi100) as (app, url):
        status, answer = await push(url, pushed("push_signed.json", order), SALT, signature="0" * 32)
        [found] = await app.store.find_orders(order.order_no)
    assert status == 401 and answer["result"] is False
    assert found.state is OrderState.SHIPPED and len(found.shipments[0].events) == 2  # as the order was placed


async def test_every_waybill_on_its_way_is_subscribed_once_and_again_when_refused_or_aborted(
    database: Database, kuaidi100: FakeKuaidi100
) -> None:
    moving = await add_order(database, OrderState.SHIPPED, courier="SF")
    await add_order(database, OrderState.DELIVERED, courier="SF", signed_days_ago=1, phone="13900000000")
    async with serving(database, kuaidi100) as (app, url):
        kuaidi100.refuse = True
        await subscribe(app)
        kuaidi100.refuse = False
        await subscribe(app)
        await subscribe(app)
        assert kuaidi100.numbers() == [moving.tracking_no] * 2  # refused once, then followed, then left alone
        aborted = pushed("push_in_transit.json", moving) | {"status": "abort", "message": "3天查询无记录"}
        await push(url, aborted, SALT)
        await subscribe(app)
    assert kuaidi100.numbers() == [moving.tracking_no] * 3
    first = kuaidi100.attempts[1]
    assert (first["company"], first["parameters"]["salt"], first["parameters"]["callbackurl"]) == (
        "shunfeng", SALT, "https://shop.example.com/couriers/kuaidi100"
    )  # fmt: skip


async def test_a_parcel_asked_about_with_old_scans_is_queried_first_once_per_half_hour(
    database: Database, kuaidi100: FakeKuaidi100
) -> None:
    order = await add_order(database, OrderState.SHIPPED, courier="SF")  # its latest scan: 3 hours before NOW
    kuaidi100.tracks[str(order.tracking_no)] = pushed("push_signed.json", order)["lastResult"]
    clock = FixedClock(NOW + timedelta(hours=1))
    async with serving(database, kuaidi100, clock) as (app, _):
        await app.store.find_orders(order.order_no)
        assert kuaidi100.queried == []  # 4 hours old: pushes will come
        clock.advance(hours=5)
        await ask(app.dialogue, f"订单 {order.order_no} 到哪了")
        answer = await ask(app.dialogue, order.phone_tail)
        await app.store.find_orders(order.order_no)
    assert "已签收，签收人：本人" in answer
    assert kuaidi100.queried == [order.tracking_no]
