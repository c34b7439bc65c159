"""Customers hear of every step of their case on the channel they used, exactly once, whoever moved it."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.case_updates import CaseUpdates
from handlers.messages import IncomingMessage
from handlers.staff.roster import Roster, StaffMember
from handlers.texts import say
from oms_client.case_rules import CaseState
from oms_client.chats.case_feed import CaseFeed
from oms_client.domain import OrderState
from oms_client.sql import models as m
from oms_client.sql.database import Database
from tests.orders import add_order
from tests.web_rig import WebCustomer, WebRig, start_web_rig

LI = StaffMember(id="li", name="李客服", roles=("agent",))


async def agent(rig: WebRig, text: str) -> str:
    [reply] = await rig.app.front(Roster((LI,))).handle(IncomingMessage("console", "li", "li", text))
    return reply.text


async def test_a_web_customer_hears_of_every_step_of_a_return_once(database: Database) -> None:
    async with start_web_rig(database) as rig:
        order = await add_order(database, OrderState.DELIVERED, signed_days_ago=1)
        updates = rig.app.case_updates
        assert await updates.tick() == 0  # a store never read starts at its end: no history is replayed
        http = await rig.visitor()
        customer = WebCustomer(rig, http)
        for line in (f"订单 {order.order_no} 我要退货", order.phone_tail, "七天无理由"):
            await customer.say(line)
        assert "已提交退货退款申请" in await customer.say("确认提交")
        [case] = await rig.app.store.open_cases()
        assert await updates.tick() == 0  # the customer's own filing was answered in the chat
        await agent(rig, f"/approve {case.id}")
        assert await updates.tick() == 1 and await updates.tick() == 0
        approved = await customer.read()
        assert f"退货退款申请 #{case.id}" in approved and "已同意" in approved and "寄回" in approved
        assert "顺丰速运" in await customer.say("寄回了，单号 SF1234567890123")
        for step in (f"/received {case.id}", f"/refund {case.id} 99.00", f"/close {case.id}"):
            await agent(rig, step)
        assert await updates.tick() == 3
        told = await customer.read()
        assert "退回的商品已收到" in told and "已为您退款 ¥99.00" in told and "已处理完毕" in told
        assert (await rig.app.store.get_case(case.id)).state is CaseState.CLOSED
        await http.close()


async def test_two_processes_telling_at_once_queue_each_message_once(database: Database) -> None:
    async with start_web_rig(database) as rig:
        order = await add_order(database, OrderState.DELIVERED, signed_days_ago=1)
        app = rig.app
        twins = [CaseUpdates(CaseFeed(database), app.store, app.channels, app.clock, app.desk, app.roster)
                 for _ in "ab"]  # fmt: skip
        await twins[0].tick()
        http = await rig.visitor()
        customer = WebCustomer(rig, http)
        for line in (f"订单 {order.order_no} 我要退货", order.phone_tail, "不喜欢", "确认"):
            await customer.say(line)
        [case] = await app.store.open_cases()
        await agent(rig, f"/ask {case.id} 请拍一下吊牌")
        queued = await asyncio.gather(*(twin.tick() for twin in twins))
        assert sorted(queued) == [0, 1]
        async with database.read.connect() as conn:
            asked = await conn.scalar(
                select(func.count()).select_from(m.OutgoingRow).where(m.OutgoingRow.body["text"].as_string()
                                                                       .contains("请拍一下吊牌"))
            )  # fmt: skip
        assert asked == 1
        assert say("as_answer_taken", "zh", case_id=case.id) in await customer.say("吊牌还在，拍好了")
        assert (await app.store.get_case(case.id)).detail["answer"] == "吊牌还在，拍好了"
        await http.close()
