"""The outbox relay against a fake push server over HTTP, on SQLite and PostgreSQL, with a fake clock."""

from __future__ import annotations

import base64
import random
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta

import pytest
import pytest_asyncio
from sqlalchemy import func, select

from bot.channels.clients import Shared, open_clients
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.wecom.channel import WeComAppChannel
from bot.pushers.build import build_pushers
from bot.settings import Settings
from notifications.config import AlertsConfig, Target
from notifications.push import Pusher
from notifications.relay import Relay
from oms_client.alerting import Route, Routing
from oms_client.alerts.kinds import Finding
from oms_client.alerts.lifecycle import outbox_message, sync_alerts
from oms_client.alerts.outbox import OutboxStore
from oms_client.clock import FixedClock
from oms_client.sql import models as m
from oms_client.sql.database import Database
from oms_client.stores.budgets import SqlBudgets
from oms_client.stores.tokens import SqlTokens
from tests.conftest import NOW, SHANGHAI
from tests.fakes.push_server import FakePushServer
from tests.helpers import count_rows

Pushers = dict[str, Pusher]
ROBOT = Target(name="ops-group", kind="wecom_robot", key="robot-key")
TELEGRAM = Target(name="ops-tg", kind="telegram", chat_id=-1001)
LEAD = Target(name="lead", kind="wecom_app", to_user="lead01")
DAYTIME = NOW  # 10:00 in Shanghai: outside the default quiet hours


@pytest_asyncio.fixture
async def server() -> AsyncIterator[FakePushServer]:
    fake = FakePushServer()
    await fake.start()
    yield fake
    await fake.stop()


@pytest_asyncio.fixture
async def clients(server: FakePushServer, database: Database) -> AsyncIterator[Pushers]:
    settings = Settings(
        telegram_token="123456:TEST",
        telegram_api_base=server.base,
        wecom_corp_id="corp1",
        wecom_agent_id=1000002,
        wecom_secret="secret",
        wecom_api_base=server.base,
    )
    shared = Shared(SqlTokens(database), SqlBudgets(database), FixedClock(NOW))
    opened = open_clients(settings, shared)
    assert opened.telegram is not None and opened.wecom is not None
    channels = {"telegram": TelegramChannel(opened.telegram), "wecom": WeComAppChannel(opened.wecom, 1000002)}
    yield build_pushers(opened, channels, settings, (ROBOT, TELEGRAM, LEAD))
    await opened.close()


def _relay(database: Database, clients: Pushers, clock: FixedClock, **config: object) -> Relay:
    alerts_config = AlertsConfig.model_validate({"targets": (ROBOT, TELEGRAM, LEAD), **config})
    return Relay(OutboxStore(database), clients, alerts_config, clock, SHANGHAI, random.Random(1))


def _oversold(sku: str, severity: str = "critical") -> Finding:
    return Finding("oversell", sku, severity, {"demand": 5, "on_hand": 2, "orders_at_risk": [f"taobao:{sku}01"]})


async def _raise(
    database: Database,
    findings: Sequence[Finding],
    now: datetime,
    routes: Sequence[Route],
    quiet: datetime | None = None,
) -> None:
    """What a scan does once it has its findings: alerts and their outbox rows in one transaction."""
    async with database.write.begin() as conn:
        await sync_alerts(conn, findings, ["oversell"], now, Routing(tuple(routes), quiet))


async def _ticks(relay: Relay, clock: FixedClock, seconds: float, every: float = 10.0) -> None:
    elapsed = 0.0
    while elapsed < seconds:
        await relay.tick()
        clock.advance(seconds=every)
        elapsed += every


async def test_one_alert_reaches_the_wecom_group_as_markdown_with_its_commands(
    database: Database, clients: Pushers, server: FakePushServer
) -> None:
    clock = FixedClock(DAYTIME)
    await _raise(database, [_oversold("SKU-A")], clock.now(), [Route(ROBOT.name)])
    await _relay(database, clients, clock).tick()
    [message] = server.received
    assert message.api == "wecom_robot" and message.address == "robot-key"
    assert "超卖 SKU-A" in message.text and "待发 5 件，库存 2 件" in message.text
    assert '<font color="warning">' in message.text and "/ack " in message.text
    await _relay(database, clients, clock).tick()
    assert len(server.received) == 1


async def test_telegram_gets_buttons_whose_data_is_the_command(
    database: Database, clients: Pushers, server: FakePushServer
) -> None:
    clock = FixedClock(DAYTIME)
    await _raise(database, [_oversold("SKU-B")], clock.now(), [Route(TELEGRAM.name)])
    await _relay(database, clients, clock).tick()
    [message] = server.received
    assert message.address == "-1001" and message.parse_mode == "HTML"
    assert message.text.startswith("<b>🔴 严重 · 超卖 SKU-B</b>\n待发 5 件")
    assert [b.split()[0] for b in message.buttons] == ["/ack", "/snooze", "/assign"]
    assert all(len(b.encode()) <= 64 for b in message.buttons)


async def test_a_flood_becomes_one_digest_instead_of_being_dropped(
    database: Database, clients: Pushers, server: FakePushServer
) -> None:
    clock = FixedClock(DAYTIME)
    findings = [_oversold(f"SKU-{i:03}") for i in range(60)]
    await _raise(database, findings, clock.now(), [Route(ROBOT.name)])
    await _relay(database, clients, clock).tick()
    [digest] = server.received
    assert "告警汇总 · 共 60 条" in digest.text and "超卖 60 条" in digest.text and "还有 50 条" in digest.text
    assert await OutboxStore(database).pending() == 0


async def test_the_push_api_down_for_ten_minutes_loses_nothing_and_sends_nothing_twice(
    database: Database, clients: Pushers, server: FakePushServer
) -> None:
    clock = FixedClock(DAYTIME)
    relay = _relay(database, clients, clock)
    server.down = True
    findings: list[Finding] = []
    for minute in range(5):  # a new alert every two minutes while the API is down
        findings.append(_oversold(f"SKU-D{minute}"))
        await _raise(database, findings, clock.now(), [Route(ROBOT.name)])
        await _ticks(relay, clock, seconds=120)
    assert server.received == [] and await OutboxStore(database).pending() == 5
    server.down = False
    await _ticks(relay, clock, seconds=600)
    delivered = "\n".join(server.texts())
    assert all(delivered.count(f"超卖 SKU-D{i}：") + delivered.count(f"超卖 SKU-D{i}<") == 1 for i in range(5))
    assert await OutboxStore(database).pending() == 0 and await count_rows(database, m.DeadLetterRow) == 0


async def test_a_rate_limit_answer_is_waited_out_and_not_counted_as_a_failure(
    database: Database, clients: Pushers, server: FakePushServer
) -> None:
    clock = FixedClock(DAYTIME)
    relay = _relay(database, clients, clock)
    await _raise(database, [_oversold("SKU-R")], clock.now(), [Route(TELEGRAM.name)])
    server.rate_limit_next, server.retry_after = 1, 30
    await relay.tick()
    clock.advance(seconds=20)
    await relay.tick()
    assert server.requests == 1 and server.received == []  # nothing tried inside the 30 s it asked for
    clock.advance(seconds=11)
    await relay.tick()
    assert len(server.received) == 1
    async with database.read.connect() as conn:
        assert await conn.scalar(select(func.max(m.OutboxRow.attempts))) == 0


async def test_the_wecom_group_robot_limit_of_twenty_a_minute_is_kept(
    database: Database, clients: Pushers, server: FakePushServer
) -> None:
    clock = FixedClock(DAYTIME)
    relay = _relay(database, clients, clock)
    findings: list[Finding] = []
    for i in range(30):  # one alert a second, each on its own
        findings.append(_oversold(f"SKU-L{i:02}"))
        await _raise(database, findings, clock.now(), [Route(ROBOT.name)])
        await relay.tick()
        clock.advance(seconds=1)
    assert len(server.received) == 20
    clock.advance(seconds=60)
    await relay.tick()
    assert len(server.received) == 21 and "共 10 条" in server.received[-1].text


async def test_after_the_last_attempt_a_message_is_dead_lettered_and_reported_on_another_target(
    database: Database, clients: Pushers, server: FakePushServer
) -> None:
    clock = FixedClock(DAYTIME)
    relay = _relay(database, clients, clock, max_attempts=3, retry_cap_seconds=30)
    server.broken = {"wecom_robot"}
    await _raise(database, [_oversold("SKU-X")], clock.now(), [Route(ROBOT.name)])
    await _ticks(relay, clock, seconds=300)
    assert await count_rows(database, m.DeadLetterRow) == 1
    reports = [r for r in server.received if "推送失败" in r.text]
    assert {r.api for r in reports} == {"telegram", "wecom_app"}  # every other target, once
    assert len(reports) == 2 and "ops-group" in reports[0].text


async def test_a_report_of_dead_letters_that_dies_too_is_not_reported_again(
    database: Database, clients: Pushers, server: FakePushServer
) -> None:
    clock = FixedClock(DAYTIME)
    relay = _relay(database, clients, clock, max_attempts=2, retry_cap_seconds=10)
    server.down = True
    await _raise(database, [_oversold("SKU-Y")], clock.now(), [Route(ROBOT.name)])
    await _ticks(relay, clock, seconds=600)
    assert await count_rows(database, m.DeadLetterRow) == 3  # the alert, and its report on each other target
    assert await OutboxStore(database).pending() == 0


async def test_an_expired_wecom_token_is_fetched_again_once(
    database: Database, clients: Pushers, server: FakePushServer
) -> None:
    clock = FixedClock(DAYTIME)
    relay = _relay(database, clients, clock)
    await _raise(database, [_oversold("SKU-T1")], clock.now(), [Route(LEAD.name)])
    await relay.tick()
    server.expired_tokens.add("token-1-corp1")
    await _raise(database, [_oversold("SKU-T1"), _oversold("SKU-T2")], clock.now(), [Route(LEAD.name)])
    clock.advance(seconds=5)
    await relay.tick()
    assert [r.address for r in server.received] == ["lead01", "lead01"] and server.tokens_issued == 2


async def test_quiet_hours_hold_warnings_for_a_morning_digest_but_not_critical_alerts(
    database: Database, clients: Pushers, server: FakePushServer
) -> None:
    night = datetime(2026, 11, 22, 23, 30, tzinfo=SHANGHAI)
    morning = datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI)
    clock = FixedClock(night)
    findings = [_oversold("SKU-N1", "warning"), _oversold("SKU-N2", "warning"), _oversold("SKU-N3", "warning")]
    findings.append(_oversold("SKU-N4"))
    await _raise(database, findings, night, [Route(ROBOT.name)], quiet=morning)
    relay = _relay(database, clients, clock)
    await _ticks(relay, clock, seconds=3600, every=60)
    assert len(server.received) == 1 and "SKU-N4" in server.received[0].text
    clock.current = morning
    await relay.tick()
    assert len(server.received) == 2 and "共 3 条" in server.received[1].text


async def test_news_of_an_alert_nobody_heard_of_yet_is_dropped_when_it_clears(
    database: Database, clients: Pushers, server: FakePushServer
) -> None:
    clock = FixedClock(DAYTIME)
    await _raise(database, [_oversold("SKU-G")], clock.now(), [Route(ROBOT.name)])
    await _raise(database, [], clock.now() + timedelta(minutes=5), [Route(ROBOT.name)])
    await _relay(database, clients, clock).tick()
    assert server.received == []


async def test_a_cleared_alert_is_announced_where_it_was_announced(
    database: Database, clients: Pushers, server: FakePushServer
) -> None:
    clock = FixedClock(DAYTIME)
    relay = _relay(database, clients, clock)
    await _raise(database, [_oversold("SKU-C")], clock.now(), [Route(ROBOT.name)])
    await relay.tick()
    clock.advance(minutes=90)
    await _raise(database, [], clock.now(), [Route(ROBOT.name)])
    await relay.tick()
    assert len(server.received) == 2 and "已恢复 · 超卖 SKU-C" in server.received[1].text
    assert "持续 1.5 小时" in server.received[1].text


@pytest.mark.parametrize("severity, heard", [("warning", False), ("critical", True)])
async def test_a_target_hears_only_alerts_at_or_above_its_severity(
    database: Database, clients: Pushers, server: FakePushServer, severity: str, heard: bool
) -> None:
    clock = FixedClock(DAYTIME)
    await _raise(database, [_oversold("SKU-S", severity)], clock.now(), [Route(ROBOT.name, "critical")])
    await _relay(database, clients, clock).tick()
    assert bool(server.received) is heard


async def test_a_report_reaches_the_wecom_group_as_markdown_then_its_chart_and_telegram_as_a_photo(
    database: Database, clients: Pushers, server: FakePushServer
) -> None:
    clock = FixedClock(DAYTIME)
    chart = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    payload = {"title": "店铺日报 2026-11-21", "lines": ["销售：付款订单 3 单，¥297.00"],
               "image": base64.b64encode(chart).decode()}  # fmt: skip
    await OutboxStore(database).enqueue([outbox_message(t.name, "report", "info", payload, clock.now())
                                         for t in (ROBOT, TELEGRAM)])  # fmt: skip
    await _relay(database, clients, clock).tick()
    robot = [r for r in server.received if r.api == "wecom_robot"]
    assert robot[0].text.startswith('**<font color="info">店铺日报 2026-11-21</font>**\n> 销售：付款订单 3 单')
    assert (robot[1].text, robot[1].image) == ("", chart)
    [photo] = [r for r in server.received if r.api == "telegram"]
    assert photo.image == chart and photo.text == "店铺日报 2026-11-21\n销售：付款订单 3 单，¥297.00"
