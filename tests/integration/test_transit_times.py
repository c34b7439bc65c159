"""Transit times learned from the shop's own delivered parcels, on SQLite and PostgreSQL: the figures agree with
the parcels, a route with few parcels borrows its courier's (and a courier with none the shop's), the answer's
ETA comes from them, and a parcel past nine in ten of its route's is flagged (and its customer told) before it
stalls."""

from __future__ import annotations

import statistics
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.dialogue import Dialogue
from oms_client.alerts.desk import AlertStore
from oms_client.alerts.kinds import ScanLimits
from oms_client.demo.seed import seed_store
from oms_client.domain import OrderState, TrackingState
from oms_client.sql import models as m
from oms_client.sql.database import Database
from oms_client.stores.orders import SqlOrderStore
from oms_client.stores.transit_times import BUCKET_HOURS, SqlTransitTimes, usual_times
from tests.conftest import NOW
from tests.helpers import ask
from tests.orders import add_delivered, add_order

ZHEJIANG_SF = [20.0 + hour for hour in range(40)]  # 20 … 59 hours: median 39.5, 90th percentile 55.1


async def test_learned_times_agree_with_the_seeded_parcels_signed_in_the_window(database: Database) -> None:
    await seed_store(database, orders=3000, seed=11, now=NOW, history_days=60)  # learns as the hourly job does
    shipment = m.ShipmentRow
    async with database.read.connect() as conn:
        took = (
            await conn.execute(
                select(shipment.courier, shipment.shipped_at, shipment.last_event_at).where(
                    shipment.last_event_state == TrackingState.SIGNED.value
                )
            )
        ).all()
        learned = {row.courier: row for row in await conn.execute(select(m.TransitTimeRow).where(
            m.TransitTimeRow.origin == ""))}  # fmt: skip
    for courier in ("", "ZTO", "SF"):
        hours = [
            (signed - shipped).total_seconds() / 3600 for c, shipped, signed in took if courier in ("", c) and signed
        ]
        deciles = statistics.quantiles(hours, n=20)
        row = learned[courier]
        assert row.samples == len(hours)
        assert abs(row.p50_hours - statistics.median(hours)) <= BUCKET_HOURS
        assert abs(row.p90_hours - deciles[17]) <= BUCKET_HOURS
    assert learned["SF"].p50_hours < learned[""].p50_hours < learned["EMS"].p50_hours  # as couriers really run


async def test_a_route_with_few_parcels_borrows_its_couriers_time_and_an_unknown_courier_the_shops(
    database: Database,
) -> None:
    await add_delivered(database, "SF", "浙江省", ZHEJIANG_SF)
    await add_delivered(database, "SF", "广东省", [60.0, 61.0, 62.0, 63.0, 64.0])
    assert await SqlTransitTimes(database).learn(NOW) == 3  # the Zhejiang route, SF, and the shop
    routes = [("SF", "HZ1", "浙江省"), ("SF", "HZ1", "广东省"), ("YTO", "HZ1", "浙江省")]
    async with AsyncSession(database.read) as session:
        usual = await usual_times(session, routes)
    assert [(usual[r].level, usual[r].samples) for r in routes] == [("route", 40), ("courier", 45), ("overall", 45)]
    assert abs(usual[routes[0]].p50 - timedelta(hours=39.5)) <= timedelta(hours=BUCKET_HOURS)
    assert await SqlTransitTimes(database).learn(NOW + timedelta(days=100)) == 0  # all signed before the window


async def test_the_answer_gives_the_routes_eta_and_says_when_a_parcel_is_slower_than_usual(
    database: Database, dialogue: Dialogue
) -> None:
    await add_delivered(database, "SF", "浙江省", ZHEJIANG_SF)
    await SqlTransitTimes(database).learn(NOW)
    moving = await add_order(database, OrderState.SHIPPED, shipped_ago=timedelta(hours=10))
    slow = await add_order(database, OrderState.SHIPPED, shipped_ago=timedelta(days=3), phone="13911112222")
    await ask(dialogue, f"订单 {moving.order_no} 到哪了")
    on_time = await ask(dialogue, moving.phone_tail)
    await ask(dialogue, f"订单 {slow.order_no} 到哪了", user="u2")
    late = await ask(dialogue, slow.phone_tail, user="u2")
    assert "预计 11月23日 送达，这条线路通常 1–2 天" in on_time  # shipped 22 Nov 00:00 + 39.5 hours
    assert "这条线路通常 1–2 天送达，包裹已发出 3.0 天，比平常慢，我们在跟进" in late


async def test_without_enough_history_the_stored_date_is_shown(database: Database, dialogue: Dialogue) -> None:
    order = await add_order(database, OrderState.SHIPPED, shipped_ago=timedelta(hours=10))
    async with database.write.begin() as conn:
        await conn.execute(update(m.ShipmentRow).values(expected_delivery=NOW + timedelta(days=2)))
    await SqlTransitTimes(database).learn(NOW)  # nothing delivered: nothing learned
    await ask(dialogue, f"订单 {order.order_no} 到哪了")
    assert "预计送达：11月24日" in await ask(dialogue, order.phone_tail)


async def test_a_parcel_past_nine_in_ten_of_its_route_is_flagged_before_it_stalls(
    database: Database, store: SqlOrderStore, alerts: AlertStore
) -> None:
    await add_delivered(database, "SF", "浙江省", ZHEJIANG_SF)
    await SqlTransitTimes(database).learn(NOW)
    slow = await add_order(database, OrderState.SHIPPED, shipped_ago=timedelta(days=3))  # latest scan 3 hours ago
    await add_order(database, OrderState.SHIPPED, shipped_ago=timedelta(hours=10), phone="13911112222")
    now = await alerts.report(await alerts.scan(NOW, ScanLimits()))
    [predicted] = now.open
    assert (predicted.kind, predicted.subject, predicted.severity) == ("transit_predicted_late", slow.tracking_no,
                                                                      "warning")  # fmt: skip
    assert predicted.detail["usual_hours"] == 56 and predicted.detail["courier"] == "SF"
    stalled = await alerts.report(await alerts.scan(NOW + timedelta(hours=40), ScanLimits()))  # SF: 36 h silent
    assert ("transit_stalled", slow.tracking_no) in [(a.kind, a.subject) for a in stalled.open]
    assert [(a.kind, a.subject) for a in stalled.resolved] == [("transit_predicted_late", slow.tracking_no)]


async def test_on_seeded_history_the_prediction_flags_slow_parcels_that_have_not_stalled(
    database: Database, alerts: AlertStore
) -> None:
    await seed_store(database, orders=3000, seed=11, now=NOW, history_days=60)
    found = await alerts.report(await alerts.scan(NOW, ScanLimits()))
    predicted = {a.subject for a in found.open if a.kind == "transit_predicted_late"}
    troubled = {a.subject for a in found.open if a.kind in ("transit_stalled", "transit_exception")}
    assert predicted and troubled and not predicted & troubled
    assert all(a.detail["usual_hours"] > 24 for a in found.open if a.kind == "transit_predicted_late")
