"""Outbound events reach a fake ERP over HTTP, on SQLite and PostgreSQL: a cancel in chat cancels the order
and the ERP hears of it signed; events wait out an ERP that is down, also across a restart, and arrive once
each with the id they were first sent with; one order's events never overtake each other."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest_asyncio

from bot.bootstrap import App, bootstrap
from bot.settings import Settings
from oms_client.alerts.kinds import ScanLimits
from oms_client.alerts.outbox import OutboxStore
from oms_client.case_rules import CaseAction, CaseKind
from oms_client.clock import FixedClock
from oms_client.domain import OrderState, Platform
from oms_client.events import EVENTS_TARGET
from oms_client.sql.database import Database
from oms_client.stores.retention import Retention, purge
from tests.conftest import NOW
from tests.fakes.erp import FakeErp
from tests.helpers import ask
from tests.orders import add_order

SECRET = "s3cret-shared-with-the-erp"


@pytest_asyncio.fixture
async def erp() -> AsyncIterator[FakeErp]:
    fake = FakeErp(SECRET)
    await fake.start()
    yield fake
    await fake.stop()


@asynccontextmanager
async def running(database: Database, erp: FakeErp, clock: FixedClock) -> AsyncIterator[App]:
    settings = Settings(webhook_url=f"{erp.base}/hooks/xiaoer", webhook_secret=SECRET)
    app = await bootstrap(settings, clock=clock, database=database)
    try:
        yield app
    finally:
        await app.clients.close()


async def send_events(app: App) -> None:
    """One run of the events job, as the scheduler runs it (in the lease holder)."""
    [job] = [job for job in app.jobs.periodic if job.name == "events"]
    await app.jobs.periodic_tick(job)


async def test_a_cancel_in_chat_cancels_the_order_and_the_erp_hears_of_it_signed(
    database: Database, erp: FakeErp
) -> None:
    order = await add_order(database, OrderState.PAID)
    async with running(database, erp, FixedClock(NOW)) as app:
        await ask(app.dialogue, f"取消订单 {order.order_no}")
        await ask(app.dialogue, order.phone_tail)
        assert "已为您取消" in await ask(app.dialogue, "确认")
        await send_events(app)
    [found] = await app.store.find_orders(order.order_no)
    assert found.state is OrderState.CANCELLED
    assert erp.names() == ["case.requested", "case.approved", "order.cancelled"]
    assert erp.bad_signatures == 0
    cancelled = erp.events[2]
    assert cancelled["data"] | {"case_id": 0} == {"platform": "tmall", "order_id": order.order_no,
                                                  "previous_state": "paid", "case_id": 0}  # fmt: skip


async def test_events_wait_while_the_erp_is_down_and_arrive_once_after_a_restart(
    database: Database, erp: FakeErp
) -> None:
    order = await add_order(database, OrderState.PAID)
    clock = FixedClock(NOW)
    erp.down = True
    async with running(database, erp, clock) as app:
        case = await app.store.file_case(Platform.TMALL, order.order_no, CaseKind.CANCEL, "", {}, "web:v1", NOW)
        await app.store.act_on_case(case.id, CaseAction.APPROVE, "agent:li", case.version, NOW)
        for minute in range(5):
            clock.current = NOW + timedelta(minutes=minute)
            await send_events(app)
    first_tries = list(dict.fromkeys(erp.attempts))
    assert erp.events == [] and len(first_tries) == 1  # the order's first event, tried again and again
    assert await OutboxStore(database).pending(EVENTS_TARGET) == 3
    erp.down = False
    clock.current = NOW + timedelta(hours=1)
    async with running(database, erp, clock) as restarted:
        await send_events(restarted)
    assert erp.names() == ["case.requested", "case.approved", "order.cancelled"]
    assert erp.events[0]["id"] == first_tries[0]
    assert await OutboxStore(database).pending(EVENTS_TARGET) == 0
    purged = await purge(database, Retention(), clock.now() + timedelta(days=31))  # they carry receivers
    assert purged["delivered_events"] == 3


async def test_an_order_whose_event_failed_holds_its_later_events_while_other_orders_go(
    database: Database, erp: FakeErp
) -> None:
    first, second = await add_order(database, OrderState.PAID), await add_order(database, OrderState.PAID)
    clock = FixedClock(NOW)
    async with running(database, erp, clock) as app:
        for order in (first, second):
            case = await app.store.file_case(Platform.TMALL, order.order_no, CaseKind.CANCEL, "", {}, "web:v1", NOW)
            await app.store.act_on_case(case.id, CaseAction.APPROVE, "agent:li", case.version, NOW)
        erp.refuse_next = 1
        await send_events(app)  # the first order's first event is refused: the pass ends
        await send_events(app)  # it waits out its backoff, and so do the first order's others
        assert erp.names() == ["case.requested", "case.approved", "order.cancelled"]
        assert erp.names(second.order_no) == erp.names()
        clock.advance(minutes=15)
        await send_events(app)
    assert erp.names(first.order_no) == ["case.requested", "case.approved", "order.cancelled"]


async def test_events_the_erp_has_not_taken_for_half_an_hour_raise_one_alert(database: Database, erp: FakeErp) -> None:
    order = await add_order(database, OrderState.PAID)
    clock = FixedClock(NOW)
    erp.down = True
    async with running(database, erp, clock) as app:
        case = await app.store.file_case(Platform.TMALL, order.order_no, CaseKind.CANCEL, "", {}, "web:v1", NOW)
        await send_events(app)
        early = await app.alerts.scan(NOW + timedelta(minutes=20), ScanLimits())
        assert [a for a in early.opened if a.kind == "events_stuck"] == []
        clock.current = NOW + timedelta(minutes=31)
        await app.store.act_on_case(case.id, CaseAction.APPROVE, "agent:li", case.version, clock.now())
        late = await app.alerts.scan(clock.now(), ScanLimits())
        [stuck] = [a for a in late.opened if a.kind == "events_stuck"]
    assert (stuck.kind, stuck.subject, stuck.severity) == ("events_stuck", "webhook", "warning")
    assert stuck.detail["count"] == 3 and "503" in stuck.detail["error"]
