"""Alert scans over the store, on SQLite and PostgreSQL: found once, updated, resolved when cleared."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update

from oms_client.alerting import AlertsChange, Route, Routing
from oms_client.alerts.desk import AlertStore
from oms_client.alerts.kinds import ScanLimits
from oms_client.demo.seed import SeedResult
from oms_client.domain import OrderState
from oms_client.sql import models as m
from oms_client.sql.database import Database
from oms_client.stores.orders import SqlOrderStore
from tests.conftest import NOW
from tests.orders import add_order

LIMITS = ScanLimits()


async def _scan(alerts: AlertStore, now: datetime) -> AlertsChange:
    return await alerts.report(await alerts.scan(now, LIMITS))


def _subjects(change, kind: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {alert.subject for alert in change.open if alert.kind == kind}


async def test_a_scan_finds_each_seeded_problem_once_and_a_repeat_raises_nothing_new(
    alerts: AlertStore, store: SqlOrderStore, seeded: SeedResult
) -> None:
    first = await _scan(alerts, NOW)
    assert all(alert.is_new for alert in first.open)
    assert len(_subjects(first, "oversell")) == 3
    late, stalled, exception = seeded.samples[1], seeded.samples[3], seeded.samples[4]
    assert f"{late.platform}:{late.order_id}" in _subjects(first, "ship_overdue")
    assert stalled.tracking_no in _subjects(first, "transit_stalled")
    assert exception.tracking_no in _subjects(first, "transit_exception")
    again = await _scan(alerts, NOW + timedelta(minutes=5))
    assert not any(alert.is_new for alert in again.open) and again.resolved == []
    assert {(a.kind, a.subject) for a in again.open} == {(a.kind, a.subject) for a in first.open}
    assert all(a.first_seen == NOW for a in again.open)


async def test_oversell_resolves_itself_when_stock_arrives(
    alerts: AlertStore, store: SqlOrderStore, seeded: SeedResult
) -> None:
    first = await _scan(alerts, NOW)
    sku = sorted(_subjects(first, "oversell"))[0]
    async with store.database.write.begin() as conn:
        await conn.execute(update(m.StockRow).where(m.StockRow.sku == sku).values(on_hand=10_000))
    later = await _scan(alerts, NOW + timedelta(minutes=5))
    assert sku not in _subjects(later, "oversell")
    assert [(a.kind, a.subject) for a in later.resolved] == [("oversell", sku)]


async def test_oversell_names_the_newest_orders_at_risk(
    alerts: AlertStore, store: SqlOrderStore, seeded: SeedResult
) -> None:
    first = await _scan(alerts, NOW)
    alert = next(a for a in first.open if a.kind == "oversell")
    assert alert.detail["demand"] > alert.detail["on_hand"]
    orders = [ref.split(":", 1)[1] for ref in alert.detail["orders_at_risk"]]
    found = [(await store.find_orders(no))[0] for no in orders]
    assert [o.created_at for o in found] == sorted((o.created_at for o in found), reverse=True)


async def test_an_after_sales_case_past_its_sla_is_flagged(
    alerts: AlertStore, store: SqlOrderStore, seeded: SeedResult
) -> None:
    async with store.database.write.begin() as conn:
        made = await conn.execute(
            insert(m.AfterSalesCaseRow).returning(m.AfterSalesCaseRow.id, sort_by_parameter_order=True),
            [
                {
                    "order_id": 1,
                    "kind": "return_refund",
                    "state": "requested",
                    "reason": "太大了",
                    "created_at": NOW - timedelta(hours=30),
                    "updated_at": NOW - timedelta(hours=30),
                    "version": 1,
                },
                {
                    "order_id": 2,
                    "kind": "exchange",
                    "state": "requested",
                    "reason": "颜色",
                    "created_at": NOW - timedelta(hours=2),
                    "updated_at": NOW - timedelta(hours=2),
                    "version": 1,
                },
            ],
        )
        late, fresh = made.scalars().all()
    overdue = _subjects(await _scan(alerts, NOW), "aftersales_overdue")  # the seed's own cases may be among them
    assert f"case:{late}" in overdue and f"case:{fresh}" not in overdue


async def test_a_paid_order_near_its_deadline_is_warned_before_it_is_late(
    alerts: AlertStore, store: SqlOrderStore, seeded: SeedResult
) -> None:
    paid = seeded.samples[2]
    [order] = await store.find_orders(paid.order_id)
    assert order.promised_ship_by is not None
    sla = LIMITS.ship_sla_hours.get(str(order.platform), LIMITS.default_ship_sla_hours)
    almost = order.promised_ship_by - timedelta(hours=sla * (1 - LIMITS.ship_warn_ratio) / 2)
    change = await _scan(alerts, almost)
    assert f"{paid.platform}:{paid.order_id}" in _subjects(change, "ship_due_soon")
    later = await _scan(alerts, order.promised_ship_by + timedelta(minutes=1))
    assert f"{paid.platform}:{paid.order_id}" in _subjects(later, "ship_overdue")
    assert ("ship_due_soon", f"{paid.platform}:{paid.order_id}") in {(a.kind, a.subject) for a in later.resolved}


async def _outbox_kinds(store: SqlOrderStore, alert_id: int) -> list[str]:
    outbox = m.OutboxRow
    async with store.database.read.connect() as conn:
        query = select(outbox.kind).where(outbox.alert_id == alert_id).order_by(outbox.id)
        return list((await conn.scalars(query)).all())


async def test_a_late_order_getting_later_is_updated_in_place_and_its_target_hears_when_it_turns_critical(
    alerts: AlertStore, store: SqlOrderStore, seeded: SeedResult
) -> None:
    routing = Routing((Route("ops", "warning"),))
    first = await alerts.scan(NOW, LIMITS, routing)
    late = next(a for a in first.opened if a.kind == "ship_overdue" and a.severity == "warning")
    promised = datetime.fromisoformat(late.detail["promised_ship_by"])
    day_late = promised + timedelta(hours=LIMITS.ship_critical_late_hours, minutes=1)
    later = await alerts.scan(day_late, LIMITS, routing)
    assert late.id not in {a.id for a in later.opened}
    after = await alerts.get(late.id)
    assert after is not None and (after.severity, after.first_seen, after.detail) == ("critical", NOW, late.detail)
    assert await _outbox_kinds(store, late.id) == ["opened", "worsened"]
    again = await alerts.scan(day_late + timedelta(minutes=5), LIMITS, routing)
    assert (again.opened, again.resolved) == ([], [])
    assert await _outbox_kinds(store, late.id) == ["opened", "worsened"]


async def test_a_stalled_parcel_with_a_newer_but_still_stale_event_keeps_its_alert_with_the_new_facts(
    alerts: AlertStore, store: SqlOrderStore, seeded: SeedResult
) -> None:
    stalled = seeded.samples[3]
    first = await alerts.report(await alerts.scan(NOW, LIMITS, Routing((Route("ops", "warning"),))))
    alert = next(a for a in first.open if a.subject == stalled.tracking_no)
    newer = NOW - timedelta(hours=LIMITS.default_stall_hours + 1)
    async with store.database.write.begin() as conn:
        shipment = m.ShipmentRow
        await conn.execute(
            update(shipment)
            .where(shipment.tracking_no == stalled.tracking_no)
            .values(last_event_at=newer, last_event_text="快件已到达【测试转运中心】", courier="ZTO")
        )
    later = await alerts.scan(NOW, LIMITS, Routing((Route("ops", "warning"),)))
    assert later.opened == [] and later.resolved == []
    after = await alerts.get(alert.id)
    assert after is not None and after.status == "open"
    assert datetime.fromisoformat(after.detail["last_event_at"]) == newer.replace(microsecond=0)
    assert after.detail["last_event"] == "快件已到达【测试转运中心】"
    assert await _outbox_kinds(store, alert.id) == ["opened"]  # new facts, same severity: nobody is told again


async def test_one_parcel_shipping_two_orders_is_one_alert_that_stays_put(
    alerts: AlertStore, database: Database
) -> None:
    first, second = await add_order(database, OrderState.SHIPPED), await add_order(database, OrderState.SHIPPED)
    shipment = m.ShipmentRow
    async with database.write.begin() as conn:  # merged shipping: the second order rides in the first's parcel
        await conn.execute(
            update(shipment)
            .where(shipment.tracking_no.in_([first.tracking_no, second.tracking_no]))
            .values(tracking_no=first.tracking_no, last_event_at=NOW - timedelta(hours=50))
        )
    found = await alerts.scan(NOW, LIMITS)
    [stalled] = [a for a in found.opened if a.kind == "transit_stalled"]
    assert stalled.subject == first.tracking_no
    assert stalled.detail["order"] in {f"tmall:{first.order_no}", f"tmall:{second.order_no}"}
    for minutes in (5, 10):
        again = await alerts.scan(NOW + timedelta(minutes=minutes), LIMITS)
        assert (again.opened, again.resolved, again.found_again) == ([], [], 1)
        # the same finding every time: nothing rewritten
        assert await alerts.get(stalled.id) == replace(stalled, is_new=False)
