"""快递鸟 over HTTP, on SQLite and PostgreSQL, with its real signature scheme: a signed push becomes the parcel's
scans once and moves the order; a push signed with another key changes nothing; every waybill on its way is
subscribed once (SF's with the phone's last digits); a parcel asked about with old scans is queried; and the shop
config picks 快递鸟 when both providers are configured."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.bootstrap import App
from bot.settings import Settings
from bot.shop_config import ShopConfigError
from oms_client.clock import FixedClock
from oms_client.domain import OrderState, TrackingState
from oms_client.sql.database import Database
from tests.conftest import NOW
from tests.fakes.kdniao import FakeKdniao, push
from tests.helpers import app_on_loopback, ask
from tests.orders import PlacedOrder, add_order

FIXTURES = Path(__file__).parent.parent / "fixtures" / "kdniao"
BUSINESS_ID, API_KEY = "1600001", "kdniao-api-key-0123"


def pushed(name: str, order: PlacedOrder) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    body["Data"][0]["LogisticCode"] = order.tracking_no
    return body


@pytest_asyncio.fixture
async def kdniao() -> AsyncIterator[FakeKdniao]:
    fake = FakeKdniao(BUSINESS_ID, API_KEY)
    await fake.start()
    yield fake
    await fake.stop()


def kdniao_settings(fake: FakeKdniao, **more: Any) -> Settings:
    return Settings(kdniao_business_id=BUSINESS_ID, kdniao_api_key=API_KEY, kdniao_api_base=fake.base, **more)


@asynccontextmanager
async def serving(
    database: Database, settings: Settings, clock: FixedClock | None = None
) -> AsyncIterator[tuple[App, str]]:
    async with app_on_loopback(settings, database, clock or FixedClock(NOW)) as (app, base):
        yield app, f"{base}/couriers/kdniao"


async def subscribe(app: App) -> None:
    [job] = [job for job in app.jobs.periodic if job.name == "kdniao subscriptions"]
    await app.jobs.periodic_tick(job)


async def test_signed_pushes_become_scans_once_and_move_the_order(database: Database, kdniao: FakeKdniao) -> None:
    order = await add_order(database, OrderState.SHIPPED, courier="SF")
    async with serving(database, kdniao_settings(kdniao)) as (app, url):
        status, answer = await push(url, pushed("push_in_transit.json", order), API_KEY)
        assert status == 200
        assert answer == {"EBusinessID": BUSINESS_ID, "UpdateTime": "2026-11-22 10:00:00", "Success": True,
                          "Reason": ""}  # fmt: skip
        for _ in range(2):  # the second is 快递鸟 pushing again
            assert (await push(url, pushed("push_signed.json", order), API_KEY))[1]["Success"] is True
        [found] = await app.store.find_orders(order.order_no)
        await ask(app.dialogue, f"订单 {order.order_no} 到哪了")
        said = await ask(app.dialogue, order.phone_tail)
    parcel = found.shipments[0]
    texts = [event.text for event in parcel.events]
    assert texts.count("已签收，签收人：本人") == 1 and texts.count("快件交给张师傅，正在派送途中") == 1
    states = {event.text: event.state for event in parcel.events}
    assert states["快件交给张师傅，正在派送途中"] is TrackingState.OUT_FOR_DELIVERY
    assert parcel.latest_event is not None and parcel.latest_event.state is TrackingState.SIGNED
    assert found.state is OrderState.DELIVERED and "已签收，签收人：本人" in said


async def test_a_push_signed_with_another_key_changes_nothing(database: Database, kdniao: FakeKdniao) -> None:
    order = await add_order(database, OrderState.SHIPPED, courier="SF")
    async with serving(database, kdniao_settings(kdniao)) as (app, url):
        status, answer = await push(url, pushed("push_signed.json", order), "someone-elses-key")
        [found] = await app.store.find_orders(order.order_no)
    assert status == 401 and answer["Success"] is False
    assert found.state is OrderState.SHIPPED and len(found.shipments[0].events) == 2  # as the order was placed


async def test_every_waybill_on_its_way_is_subscribed_once_with_sfs_phone_digits(
    database: Database, kdniao: FakeKdniao
) -> None:
    moving = await add_order(database, OrderState.SHIPPED, courier="SF", phone="13812345678")
    await add_order(database, OrderState.SHIPPED, courier="JT", phone="13700000000")  # 快递鸟 has no J&T code
    await add_order(database, OrderState.DELIVERED, courier="SF", signed_days_ago=1, phone="13900000000")
    async with serving(database, kdniao_settings(kdniao)) as (app, _):
        kdniao.refuse = True
        await subscribe(app)
        kdniao.refuse = False
        await subscribe(app)
        await subscribe(app)
    assert kdniao.numbers() == [moving.tracking_no] * 2  # refused once, then followed, then left alone
    assert kdniao.attempts[1] == {"ShipperCode": "SF", "LogisticCode": moving.tracking_no, "CustomerName": "5678"}


async def test_a_parcel_asked_about_with_old_scans_is_queried_first(database: Database, kdniao: FakeKdniao) -> None:
    order = await add_order(database, OrderState.SHIPPED, courier="SF")  # its latest scan: 3 hours before NOW
    kdniao.tracks[str(order.tracking_no)] = pushed("push_signed.json", order)["Data"][0]
    clock = FixedClock(NOW + timedelta(hours=6))
    async with serving(database, kdniao_settings(kdniao), clock) as (app, _):
        await ask(app.dialogue, f"订单 {order.order_no} 到哪了")
        said = await ask(app.dialogue, order.phone_tail)
        await app.store.find_orders(order.order_no)  # asked again within the half hour: not queried again
    assert "已签收，签收人：本人" in said
    assert [asked["LogisticCode"] for asked in kdniao.queried] == [order.tracking_no]


async def test_the_shop_config_picks_the_provider_when_both_are_configured(
    database: Database, kdniao: FakeKdniao, tmp_path: Path
) -> None:
    both = {"kuaidi100_key": "k", "kuaidi100_salt": "salt-0123456", "public_url": "https://shop.example.com"}
    async with serving(database, kdniao_settings(kdniao, **both)) as (app, _):
        assert app.tracking is not None and app.tracking.name == "kuaidi100"  # the first configured
    config = tmp_path / "shop.toml"
    config.write_text('[tracking]\nprovider = "kdniao"\n', encoding="utf-8")
    async with serving(database, kdniao_settings(kdniao, shop_config=config, **both)) as (app, _):
        assert app.tracking is not None and app.tracking.name == "kdniao"
    with pytest.raises(ShopConfigError, match="kdniao"):
        async with serving(database, Settings(shop_config=config)):
            pass
