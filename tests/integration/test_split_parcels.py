"""Orders shipped in several parcels and parcels carrying several orders (拆单合单), on SQLite and PostgreSQL: an
ERP names each parcel's lines; "到哪了" is answered parcel by parcel; the order is delivered when every parcel is;
a part-shipped order's waiting lines keep their demand on stock and their shipping promise in the scans; a return
names the parcel its goods came in; a merged parcel's scans move every order in it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from handlers.dialogue import Dialogue
from oms_client.alerts.desk import AlertStore
from oms_client.alerts.kinds import ScanLimits
from oms_client.domain import Courier, OrderState, TrackingState
from oms_client.imports.records import TrackingUpdate
from oms_client.imports.wire import OrderIn, imported
from oms_client.sql import models as m
from oms_client.sql.database import Database
from oms_client.stores.imports import SqlImports
from oms_client.stores.ingest import SqlIngest
from oms_client.stores.orders import SqlOrderStore
from tests.conftest import NOW
from tests.helpers import ask
from tests.integration.test_aftersales_chat import cases_of, say_all
from tests.orders import PlacedOrder

LIMITS = ScanLimits()
SHIRT, JEANS = "TEE-BLK-M", "JEANS-32"


def order(order_id: str, status: str, parcels: list[dict[str, Any]], phone: str = "13800138000") -> OrderIn:
    """A shirt and jeans paid yesterday morning, as an ERP sends them, with the parcels it has sent so far."""
    return OrderIn.model_validate({
        "platform": "tmall", "order_id": order_id, "status": status,
        "created_at": "2026-11-21T09:00:00+08:00", "paid_at": "2026-11-21T09:01:00+08:00",
        "receiver": {"name": "王小明", "phone": phone, "province": "浙江省", "city": "杭州市", "district": "西湖区",
                     "address": "文三路 90 号"},
        "lines": [{"sku": SHIRT, "title": "纯棉T恤 黑色 M", "qty": 1, "price": "59.00"},
                  {"sku": JEANS, "title": "直筒牛仔裤 32码", "qty": 1, "price": "129.00"}],
        "shipments": parcels,
    })  # fmt: skip


def parcel(number: str, *skus: str, courier: str = "SF") -> dict[str, Any]:
    return {"courier": courier, "tracking_no": number, "shipped_at": "2026-11-21T15:00:00+08:00", "skus": list(skus)}


def scan(number: str, state: TrackingState, at: datetime, courier: Courier = Courier.SF) -> TrackingUpdate:
    text = {TrackingState.SIGNED: "已签收，签收人：本人", TrackingState.IN_TRANSIT: "快件已到达【杭州转运中心】"}[state]
    return TrackingUpdate(courier, number, at, state, text, "杭州")


async def send(database: Database, *orders: OrderIn) -> None:
    await SqlImports(database, LIMITS.ship_within).upsert_orders([imported(o) for o in orders], NOW)


async def demand(database: Database) -> dict[str, int]:
    async with database.read.connect() as conn:
        return dict((await conn.execute(select(m.SkuDemandRow.sku, m.SkuDemandRow.committed))).all())


async def test_a_two_parcel_order_is_answered_parcel_by_parcel_and_delivered_when_both_are(
    database: Database, store: SqlOrderStore, dialogue: Dialogue
) -> None:
    parcels = [parcel("SF1000000000001", SHIRT), parcel("YT1000000000002", JEANS, courier="YTO")]
    await send(database, order("500000000001", "shipped", parcels))
    ingest = SqlIngest(database)
    await ingest.add_tracking([scan("SF1000000000001", TrackingState.SIGNED, NOW - timedelta(hours=3)),
                               scan("YT1000000000002", TrackingState.IN_TRANSIT, NOW - timedelta(hours=2),
                                    Courier.YTO)])  # fmt: skip
    [found] = await store.find_orders("500000000001")
    assert found.state is OrderState.SHIPPED  # one parcel signed is not the order delivered
    await ask(dialogue, "订单 500000000001 到哪了")
    answer = await ask(dialogue, "8000")
    assert "您的订单分 2 个包裹发出：" in answer
    assert "① 纯棉T恤 黑色 M ×1 · 已签收\n物流：顺丰速运 SF1000000000001" in answer
    assert "② 直筒牛仔裤 32码 ×1 · 运输中\n物流：圆通速递 YT1000000000002" in answer
    await ingest.add_tracking([scan("YT1000000000002", TrackingState.SIGNED, NOW - timedelta(hours=1), Courier.YTO)])
    [found] = await store.find_orders("500000000001")
    assert found.state is OrderState.DELIVERED


async def test_a_part_shipped_order_keeps_its_waiting_line_s_demand_and_promise_until_it_ships(
    database: Database, store: SqlOrderStore, dialogue: Dialogue, alerts: AlertStore
) -> None:
    await send(database, order("500000000002", "shipped", [parcel("SF1000000000003", SHIRT)]))
    [found] = await store.find_orders("500000000002")
    assert found.state is OrderState.PART_SHIPPED and [line.sku for line in found.waiting_lines] == [JEANS]
    assert (await demand(database)).get(JEANS) == 1 and (await demand(database)).get(SHIRT, 0) == 0
    await SqlIngest(database).add_tracking([scan("SF1000000000003", TrackingState.IN_TRANSIT, NOW)])
    assert (await store.find_orders("500000000002"))[0].state is OrderState.PART_SHIPPED
    await ask(dialogue, "订单 500000000002 到哪了")
    answer = await ask(dialogue, "8000")
    assert "您的订单部分发货，已发出 1 个包裹：" in answer and "还有 1 件待发货：直筒牛仔裤 32码 ×1" in answer
    assert "承诺发货：11月23日 09:01 前" in answer  # the jeans keep the order's promise: 48 hours from payment
    later = NOW + timedelta(days=2)
    late = await alerts.scan(later, LIMITS)
    assert "tmall:500000000002" in {alert.subject for alert in late.opened if alert.kind == "ship_overdue"}
    await send(database, order("500000000002", "shipped", [parcel("SF1000000000003", SHIRT),
                                                          parcel("SF1000000000004", JEANS)]))  # fmt: skip
    [found] = await store.find_orders("500000000002")
    assert found.state is OrderState.SHIPPED and not found.waiting_lines
    assert (await demand(database)).get(JEANS) == 0
    shipped = await alerts.scan(later + timedelta(minutes=5), LIMITS)
    assert "tmall:500000000002" in {alert.subject for alert in shipped.resolved}


async def test_a_return_from_the_signed_parcel_names_that_parcel_while_the_other_travels(
    database: Database, store: SqlOrderStore, dialogue: Dialogue
) -> None:
    await send(database, order("500000000003", "shipped", [parcel("SF1000000000005", SHIRT),
                                                          parcel("SF1000000000006", JEANS)]))  # fmt: skip
    await SqlIngest(database).add_tracking([scan("SF1000000000005", TrackingState.SIGNED, NOW - timedelta(days=1)),
                                            scan("SF1000000000006", TrackingState.IN_TRANSIT, NOW)])  # fmt: skip
    asked = await say_all(dialogue, "订单 500000000003 我要退货", "8000")
    summary = await say_all(dialogue, "七天无理由")
    assert "商品：纯棉T恤 黑色 M ×1" in summary and "包裹：顺丰速运 SF1000000000005" in summary, asked
    await say_all(dialogue, "确认")
    [case] = await cases_of(store, PlacedOrder("500000000003", "8000"))
    assert case.detail["parcels"] == ["SF1000000000005"] and [i["sku"] for i in case.detail["items"]] == [SHIRT]


async def test_a_merged_parcel_s_scans_move_every_order_it_carries(database: Database, store: SqlOrderStore) -> None:
    together = parcel("SF1000000000007")
    await send(database, order("500000000004", "shipped", [together]),
               order("500000000005", "shipped", [together], phone="13800138001"))  # fmt: skip
    taken = await SqlIngest(database).add_tracking([scan("SF1000000000007", TrackingState.SIGNED, NOW)])
    assert (taken.created, taken.errors) == (1, {})
    states = [(await store.find_orders(number))[0].state for number in ("500000000004", "500000000005")]
    assert states == [OrderState.DELIVERED, OrderState.DELIVERED]
