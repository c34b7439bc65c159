"""Agents work cases from their chat, on SQLite and PostgreSQL: the queue, full details (audited), decisions
with reasons, questions to the customer, notes, and decisions made on an outdated view refused."""

from __future__ import annotations

from sqlalchemy import select

from handlers.dialogue import Dialogue
from handlers.front import Front
from handlers.messages import IncomingMessage, Reply
from handlers.staff.chats import AgentChats
from handlers.staff.desk import USAGE, AgentDesk
from handlers.staff.ops import OpsCommands
from handlers.staff.roster import Roster, StaffMember
from oms_client.alerts.desk import AlertStore
from oms_client.case_rules import CaseState
from oms_client.clock import FixedClock
from oms_client.domain import Case, OrderState
from oms_client.sql import models as m
from oms_client.sql.database import Database
from oms_client.stores.orders import SqlOrderStore
from tests.conftest import SHANGHAI
from tests.integration.test_aftersales_chat import cases_of, say_all
from tests.orders import PlacedOrder, add_order

LI = StaffMember(id="li", name="李客服", roles=("agent",), telegram=2001)
ZHAO = StaffMember(id="zhao", name="赵客服", roles=("agent",), wecom="ZhaoKF")
ROSTER = Roster((LI, ZHAO))


def front(dialogue: Dialogue, store: SqlOrderStore, database: Database, clock: FixedClock) -> Front:
    desk = AgentDesk(store, clock, SHANGHAI, "杭州市余杭区文一西路 1000 号 售后组")
    ops = OpsCommands(AlertStore(database), ROSTER, clock, SHANGHAI)
    return Front(dialogue, ops, desk, AgentChats(store, clock, SHANGHAI), ROSTER)


async def agent(desk: Front, text: str, who: StaffMember = LI) -> Reply:
    channel, user = ("telegram", str(who.telegram)) if who.telegram else ("wecom", str(who.wecom))
    [reply] = await desk.handle(IncomingMessage(channel, user, user, text))
    return reply


async def filed_return(dialogue: Dialogue, store: SqlOrderStore, database: Database) -> tuple[PlacedOrder, Case]:
    order = await add_order(database, OrderState.DELIVERED, signed_days_ago=1, phone="13812349876")
    await say_all(dialogue, f"订单 {order.order_no} 我要退货", order.phone_tail, "尺码偏小穿不上", "确认提交")
    [case] = await cases_of(store, order)
    return order, case


async def audit_rows(database: Database, case: Case) -> list[tuple[str, str]]:
    log = m.AuditLogRow
    query = select(log.actor, log.action).where(log.subject_type == "case", log.subject_id == str(case.id))
    async with database.read.connect() as conn:
        return [(row.actor, row.action) for row in await conn.execute(query.order_by(log.id))]


async def test_an_agent_sees_the_queue_and_the_full_case_and_the_viewing_is_audited(
    dialogue: Dialogue, store: SqlOrderStore, database: Database, clock: FixedClock
) -> None:
    desk = front(dialogue, store, database, clock)
    order, case = await filed_return(dialogue, store, database)
    queue = await agent(desk, "/cases")
    assert f"#{case.id} 退货退款 · 天猫 {order.order_no} · 待处理 · 尺码不合适" in queue.text
    assert queue.buttons[0].payload == f"/case {case.id}"
    shown = await agent(desk, f"/case {case.id}")
    assert "收货人：张三 13812349876 浙江省杭州市西湖区文三路 1 号" in shown.text  # agents see it unmasked
    assert "客户原话：尺码偏小穿不上" in shown.text and "来自 console" in shown.text
    assert [b.label for b in shown.buttons] == ["同意", "拒绝", "要求补充"]
    assert shown.buttons[0].payload == f"/approve {case.id}@1"
    assert ("agent:li", "view_case") in await audit_rows(database, case)


async def test_approving_from_a_button_moves_the_case_and_the_customer_sees_where_to_send_it(
    dialogue: Dialogue, store: SqlOrderStore, database: Database, clock: FixedClock
) -> None:
    desk = front(dialogue, store, database, clock)
    _, case = await filed_return(dialogue, store, database)
    done = await agent(desk, f"/approve {case.id}@1")
    assert "已同意" in done.text
    assert (await store.get_case(case.id)).state is CaseState.APPROVED
    assert "请把商品寄回" in await say_all(dialogue, "我的售后进度")
    assert await audit_rows(database, case) == [("console:u1", "case.filed"), ("agent:li", "case.approve")]


async def test_a_decision_on_an_outdated_view_is_refused_and_shows_the_case_as_it_is(
    dialogue: Dialogue, store: SqlOrderStore, database: Database, clock: FixedClock
) -> None:
    desk = front(dialogue, store, database, clock)
    _, case = await filed_return(dialogue, store, database)
    await agent(desk, f"/approve {case.id}@1", LI)
    late = await agent(desk, f"/reject {case.id}@1 超过时限", ZHAO)
    assert "刚刚已被其他同事处理" in late.text and "已同意" in late.text
    illegal = await agent(desk, f"/reject {case.id} 超过时限", ZHAO)
    assert "现在不能做" in illegal.text
    current = await store.get_case(case.id)
    assert (current.state, current.version) == (CaseState.APPROVED, 2)


async def test_reject_and_ask_need_words_for_the_customer_and_reach_their_progress(
    dialogue: Dialogue, store: SqlOrderStore, database: Database, clock: FixedClock
) -> None:
    desk = front(dialogue, store, database, clock)
    _, case = await filed_return(dialogue, store, database)
    assert "请写明要客户补充什么" in (await agent(desk, f"/ask {case.id}")).text
    assert (await store.get_case(case.id)).version == 1
    await agent(desk, f"/ask {case.id} 请拍一张吊牌的照片")
    assert "客服需要您补充：请拍一张吊牌的照片" in await say_all(dialogue, "售后进度")
    assert "请写明拒绝原因" in (await agent(desk, f"/reject {case.id}")).text
    await agent(desk, f"/reject {case.id} 吊牌已剪，不影响二次销售的商品才可退")
    assert "未通过：吊牌已剪" in await say_all(dialogue, "售后进度")


async def test_a_note_is_kept_for_agents_without_touching_the_case(
    dialogue: Dialogue, store: SqlOrderStore, database: Database, clock: FixedClock
) -> None:
    desk = front(dialogue, store, database, clock)
    _, case = await filed_return(dialogue, store, database)
    assert "客户看不到" in (await agent(desk, f"/note {case.id} 老客户，优先处理")).text
    assert (await store.get_case(case.id)).version == 1
    assert ("agent:li", "case_note") in await audit_rows(database, case)


async def test_bad_commands_get_help_and_change_nothing(
    dialogue: Dialogue, store: SqlOrderStore, database: Database, clock: FixedClock
) -> None:
    desk = front(dialogue, store, database, clock)
    _, case = await filed_return(dialogue, store, database)
    assert (await agent(desk, "/approve")).text == USAGE
    assert (await agent(desk, "/approve abc")).text == USAGE
    assert "没有找到申请 #999" in (await agent(desk, "/approve 999")).text
    customer = await dialogue.handle(IncomingMessage("telegram", "555", "555", f"/approve {case.id}"))
    assert "已同意" not in customer[0].text  # a customer typing a staff command is just a customer
    assert (await store.get_case(case.id)).version == 1
