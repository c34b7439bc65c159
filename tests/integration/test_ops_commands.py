"""Ops staff acknowledge, snooze and assign alerts from their chat; unacknowledged critical alerts escalate."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

import nlu
from handlers.dialogue import Dialogue
from handlers.front import Front
from handlers.messages import IncomingMessage
from handlers.staff.chats import AgentChats
from handlers.staff.desk import AgentDesk
from handlers.staff.ops import OpsCommands
from handlers.staff.roster import Roster, StaffMember
from oms_client.alerting import Alert, Handled, Routing
from oms_client.alerts.desk import AlertStore
from oms_client.alerts.kinds import Finding
from oms_client.alerts.lifecycle import sync_alerts
from oms_client.clock import FixedClock
from oms_client.sql import models as m
from oms_client.sql.database import Database
from oms_client.stores.orders import SqlOrderStore
from tests.conftest import NOW, SHANGHAI

WANG = StaffMember(id="wangfang", name="王芳", roles=("ops",), telegram=1001)
LI = StaffMember(id="lisi", name="李四", roles=("ops",), wecom="LiSi")
ROSTER = Roster((WANG, LI))


async def _alert(database: Database, severity: str = "critical") -> Alert:
    finding = Finding("oversell", "SKU-OPS", severity, {"demand": 9, "on_hand": 1, "orders_at_risk": []})
    async with database.write.begin() as conn:
        change = await sync_alerts(conn, [finding], ["oversell"], NOW, Routing())
    return change.opened[0]


def _front(database: Database, clock: FixedClock) -> Front:
    alerts = AlertStore(database)
    store = SqlOrderStore(database)
    dialogue = Dialogue(store, nlu.parse, clock, SHANGHAI)
    desk = AgentDesk(store, clock, SHANGHAI, "")
    chats = AgentChats(store, clock, SHANGHAI)
    return Front(dialogue, OpsCommands(alerts, ROSTER, clock, SHANGHAI), desk, chats, ROSTER)


def _from(member_channel: str, user_id: str, text: str) -> IncomingMessage:
    return IncomingMessage(channel=member_channel, chat_id=user_id, user_id=user_id, text=text)


async def test_acknowledging_from_telegram_is_recorded_and_a_second_one_is_told_who_was_first(
    database: Database, alerts: AlertStore
) -> None:
    alert = await _alert(database)
    front = _front(database, FixedClock(NOW))
    [first] = await front.handle(_from("telegram", "1001", f"/ack {alert.id}"))
    assert first.text == f"告警 #{alert.id}（超卖 SKU-OPS） 已确认。"
    [second] = await front.handle(_from("wecom", "LiSi", f"/ack {alert.id}"))
    assert "已由 王芳 处理过了" in second.text
    stored = await alerts.get(alert.id)
    assert stored is not None and stored.status == "acknowledged" and stored.acked_by == "王芳"
    async with database.read.connect() as conn:
        actions = (await conn.scalars(select(m.AuditLogRow.action).where(m.AuditLogRow.subject_type == "alert"))).all()
    assert actions == ["alert.ack"]


async def test_two_staff_acknowledging_at_once_exactly_one_wins(database: Database, alerts: AlertStore) -> None:
    alert = await _alert(database)
    outcomes = await asyncio.gather(
        alerts.acknowledge(alert.id, "王芳", NOW), alerts.acknowledge(alert.id, "李四", NOW)
    )
    assert sorted(o.result.value for o in outcomes) == [Handled.ALREADY.value, Handled.DONE.value]


async def test_snooze_takes_a_duration_and_refuses_a_bad_one_politely(database: Database, alerts: AlertStore) -> None:
    alert = await _alert(database)
    front = _front(database, FixedClock(NOW))
    [bad] = await front.handle(_from("telegram", "1001", f"/snooze {alert.id} forever"))
    assert "时长格式不对" in bad.text
    assert (await alerts.get(alert.id)).snoozed_until is None  # type: ignore[union-attr]
    [good] = await front.handle(_from("telegram", "1001", f"/snooze {alert.id} 2h"))
    assert "已暂停提醒至 11-22 12:00" in good.text


async def test_assigning_names_a_colleague_from_the_roster_or_oneself(database: Database, alerts: AlertStore) -> None:
    alert = await _alert(database)
    front = _front(database, FixedClock(NOW))
    [unknown] = await front.handle(_from("telegram", "1001", f"/assign {alert.id} zhaoliu"))
    assert "没有同事 ID “zhaoliu”" in unknown.text and "lisi" in unknown.text
    [to_li] = await front.handle(_from("telegram", "1001", f"/assign {alert.id} lisi"))
    assert "已指派给 李四" in to_li.text
    [to_self] = await front.handle(_from("wecom", "LiSi", f"/assign {alert.id}"))
    assert "已指派给 李四" in to_self.text
    assert (await alerts.get(alert.id)).assignee == "李四"  # type: ignore[union-attr]


async def test_the_alert_list_shows_open_alerts_with_their_ids(database: Database) -> None:
    alert = await _alert(database)
    [listing] = await _front(database, FixedClock(NOW)).handle(_from("telegram", "1001", "/alerts"))
    assert f"#{alert.id} [严重] 超卖 SKU-OPS — 待发 9 件，库存 1 件" in listing.text


async def test_a_customer_typing_a_staff_command_changes_nothing(database: Database, alerts: AlertStore) -> None:
    alert = await _alert(database)
    replies = await _front(database, FixedClock(NOW)).handle(_from("telegram", "5555", f"/ack {alert.id}"))
    assert replies and "已确认" not in replies[0].text
    assert (await alerts.get(alert.id)).status == "open"  # type: ignore[union-attr]


async def test_an_unacknowledged_critical_alert_climbs_the_chain_one_step_per_interval(
    database: Database, alerts: AlertStore
) -> None:
    alert = await _alert(database)
    chain, after = ("lead", "boss"), timedelta(minutes=30)
    assert await alerts.escalate(chain, after, NOW + timedelta(minutes=29)) == []
    [first] = await alerts.escalate(chain, after, NOW + timedelta(minutes=30))
    assert first.id == alert.id
    assert await alerts.escalate(chain, after, NOW + timedelta(minutes=45)) == []
    assert len(await alerts.escalate(chain, after, NOW + timedelta(minutes=60))) == 1
    assert await alerts.escalate(chain, after, NOW + timedelta(minutes=120)) == []  # the chain has ended
    async with database.read.connect() as conn:
        targets = (await conn.scalars(select(m.OutboxRow.target).where(m.OutboxRow.kind == "escalation"))).all()
    assert targets == ["lead", "boss"]


async def test_snoozed_alerts_wait_and_acknowledged_ones_stop_escalating(
    database: Database, alerts: AlertStore
) -> None:
    chain, after = ("lead", "boss"), timedelta(minutes=30)
    alert = await _alert(database)
    await alerts.snooze(alert.id, "王芳", NOW + timedelta(hours=2), NOW)
    assert await alerts.escalate(chain, after, NOW + timedelta(hours=1)) == []
    assert len(await alerts.escalate(chain, after, NOW + timedelta(hours=2))) == 1  # the snooze ran out
    await alerts.acknowledge(alert.id, "王芳", NOW + timedelta(hours=2))
    assert await alerts.escalate(chain, after, NOW + timedelta(hours=5)) == []


async def test_warnings_never_escalate(database: Database, alerts: AlertStore) -> None:
    await _alert(database, "warning")
    assert await alerts.escalate(("lead",), timedelta(minutes=30), NOW + timedelta(days=1)) == []


async def _many_alerts(database: Database) -> None:
    """12 warnings seen first (oldest), then 3 critical oversells: a newest-first list of 10 hid the oversells."""
    late = [Finding("ship_overdue", f"jd:{n}", "warning", {"promised_ship_by": NOW.isoformat()}) for n in range(12)]
    oversold = [
        Finding("oversell", f"SKU-{n}", "critical", {"demand": 9, "on_hand": 1, "orders_at_risk": []}) for n in range(3)
    ]
    async with database.write.begin() as conn:
        await sync_alerts(conn, late, ["ship_overdue"], NOW - timedelta(hours=5), Routing())
        await sync_alerts(conn, oversold, ["oversell"], NOW, Routing())


async def test_the_alert_list_puts_critical_first_counts_everything_and_pages(database: Database) -> None:
    await _many_alerts(database)
    front = _front(database, FixedClock(NOW))
    [first] = await front.handle(_from("telegram", "1001", "/alerts"))
    lines = first.text.splitlines()
    assert lines[0] == "未处理告警共 15 条：严重 3 · 警告 12"
    assert lines[1] == "按类型：发货超时 12 · 超卖 3"
    assert "第 1/2 页" in lines[2]
    listed = [line for line in lines if line.startswith("#")]
    assert len(listed) == 10 and all("[严重] 超卖" in line for line in listed[:3])
    assert "下一页：/alerts 2" in first.text
    [second] = await front.handle(_from("telegram", "1001", "/alerts 2"))
    assert "第 2/2 页" in second.text and len([x for x in second.text.splitlines() if x.startswith("#")]) == 5
    assert "下一页" not in second.text
    shown = {line.split()[0] for line in listed} | {x.split()[0] for x in second.text.splitlines() if x.startswith("#")}
    assert len(shown) == 15  # no alert on both pages, none on neither


async def test_the_alert_list_filters_by_severity_or_kind_in_chinese_or_english(database: Database) -> None:
    await _many_alerts(database)
    front = _front(database, FixedClock(NOW))
    for asked in ("/alerts 严重", "/alerts critical", "/alerts 超卖", "/alerts oversell 1"):
        [reply] = await front.handle(_from("telegram", "1001", asked))
        listed = [line for line in reply.text.splitlines() if line.startswith("#")]
        assert len(listed) == 3 and all("超卖" in line for line in listed), asked
        assert "未处理告警共 15 条" in reply.text  # the totals still show what the filter hides
    [warnings] = await front.handle(_from("telegram", "1001", "/alerts 警告 2"))
    assert "筛选：警告 · 12 条" in warnings.text and "第 2/2 页" in warnings.text
    [unknown] = await front.handle(_from("telegram", "1001", "/alerts 着火"))
    assert unknown.text.startswith("不认识“着火”") and "超卖" in unknown.text
    [beyond] = await front.handle(_from("telegram", "1001", "/alerts 9"))
    assert "没有第 9 页（共 2 页）" in beyond.text


async def test_staff_asking_for_help_get_their_own_commands_in_chinese(database: Database) -> None:
    agent = StaffMember(id="zhao", name="赵客服", roles=("agent",), telegram=1002)
    front = _front(database, FixedClock(NOW))
    front.roster = Roster((WANG, agent))
    for asked in ("/help", "帮助", "/help@xiaoer_bot"):
        [ops_help] = await front.handle(_from("telegram", "1001", asked))
        assert ops_help.text.startswith("王芳，您好！您是店小二的运营。") and "/alerts" in ops_help.text
        assert "/cases" not in ops_help.text and "Hello" not in ops_help.text
    [agent_help] = await front.handle(_from("telegram", "1002", "/help"))
    assert "/cases" in agent_help.text and "/claim" in agent_help.text and "/label" in agent_help.text
    assert "/alerts" not in agent_help.text
    [customer_help] = await front.handle(
        IncomingMessage(channel="telegram", chat_id="77", user_id="77", text="/help", command="help")
    )
    assert customer_help.text.startswith("直接说您要办的事就行")  # Chinese by default, not English
