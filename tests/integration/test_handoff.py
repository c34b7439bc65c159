"""Customers handed to a person and back, across channels, on SQLite and PostgreSQL.

The real app: a web chat visitor over HTTP and a Telegram agent through aiogram against the fake Bot API,
a Telegram customer and an agent at the console; what each side reads is what reached their chat.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest_asyncio
from sqlalchemy import select

from bot.channels.console import ConsoleDesk
from bot.channels.telegram.inbound import WEBHOOK_PATH
from handlers.messages import IncomingMessage
from handlers.staff.alert_texts import describe
from handlers.texts import say
from oms_client.alerts.kinds import ScanLimits
from oms_client.chats.chat_log import ChatLog
from oms_client.domain import HandoffState, OrderState
from oms_client.sql import models as m
from oms_client.sql.database import Database
from tests.conftest import FIXTURES, SHANGHAI
from tests.fakes.telegram_api import Sent
from tests.helpers import kept
from tests.integration.test_telegram import Rig, start_rig
from tests.orders import add_order
from tests.web_rig import WebCustomer, WebRig

PHOTO = (FIXTURES / "web" / "damaged_parcel.png").read_bytes()
LABEL = (FIXTURES / "web" / "return_label.png").read_bytes()
LI_TELEGRAM = 2001
TELEGRAM_CUSTOMER = 424242
SHOP = f"""
[[staff]]
id = "li"
name = "李客服"
roles = ["agent"]
telegram = {LI_TELEGRAM}

[[staff]]
id = "zhao"
name = "赵客服"
roles = ["agent"]
"""


@pytest_asyncio.fixture
async def rig(database: Database, tmp_path: Path) -> AsyncIterator[Rig]:
    async with start_rig(database, tmp_path, shop_toml=SHOP) as built:
        yield built


async def web_customer(rig: Rig) -> WebCustomer:
    web = WebRig(rig.app, rig.url.removesuffix(WEBHOOK_PATH), rig.clock)
    return WebCustomer(web, await web.visitor())


async def li(rig: Rig, text: str) -> list[Sent]:
    """The Telegram agent types; what reached their chat in answer (pushes made before are sent first)."""
    await rig.settle()
    return [sent for sent in await rig.say(rig.api.text_update(LI_TELEGRAM, text)) if sent.chat_id == str(LI_TELEGRAM)]


async def telegram_customer(rig: Rig, text: str) -> list[Sent]:
    """What the Telegram customer got back for one message (pushes to agents are left out)."""
    return [sent for sent in await rig.say(rig.api.text_update(TELEGRAM_CUSTOMER, text))
            if sent.chat_id == str(TELEGRAM_CUSTOMER)]  # fmt: skip


def zhao(rig: Rig) -> ConsoleDesk:
    """The agent at the console (no chat app in the roster): pushes wait in the queue for the terminal."""
    app = rig.app
    return ConsoleDesk(app.front(), app.outgoing, ChatLog(app.database), app.renderers, app.clock, app.pictures)


async def at_console(desk: ConsoleDesk, text: str) -> str:
    replies = await desk.handle(IncomingMessage("console", "zhao", "zhao", text))
    return "\n".join(reply.text for reply in replies)


async def pushed_to(rig: Rig, chat_id: int) -> list[Sent]:
    await rig.settle()
    return [sent for sent in rig.api.sent if sent.chat_id == str(chat_id)]


async def audit_actions(database: Database, subject_type: str) -> list[tuple[str, str]]:
    log = m.AuditLogRow
    query = select(log.actor, log.action).where(log.subject_type == subject_type).order_by(log.id)
    async with database.read.connect() as conn:
        return [(row.actor, row.action) for row in await conn.execute(query)]


async def test_a_web_customer_talks_to_a_telegram_agent_through_the_bot_until_the_agent_hands_back(
    rig: Rig, database: Database
) -> None:
    order = await add_order(database, OrderState.SHIPPED)
    customer = await web_customer(rig)
    await customer.say(f"订单 {order.order_no} 到哪了")
    await customer.say(order.phone_tail)
    assert await customer.say("转人工") == say("ho_queued", "zh", why="", place="您是下一位")
    [handoff] = await rig.app.store.waiting_handoffs()
    [push] = await pushed_to(rig, LI_TELEGRAM)
    assert f"转人工 #{handoff.id}" in push.text and f"{order.order_no}（已验证）" in push.text
    assert "顾客：转人工" in push.text and push.callback_data == [f"/claim {handoff.id}"]
    assert [line.body["text"] for line in await ChatLog(database).unread("console", "zhao", rig.clock.now())] == [
        push.text  # the console agent's copy waits for their terminal
    ]

    [full_view] = await rig.say(rig.api.press(push, f"接入 #{handoff.id}"))
    assert "13812345678" in full_view.text and f"已接入 #{handoff.id}" in full_view.text  # unmasked for agents
    assert await customer.read() == say("ho_claimed", "zh", agent="李客服")
    assert ("agent:li", "view_handoff") in await audit_actions(database, "handoff")

    assert await customer.say("我的快递到哪了") == ""  # the bot stays silent while a person has the chat
    assert (await pushed_to(rig, LI_TELEGRAM))[-1].text == f"#{handoff.id} 顾客：我的快递到哪了"
    assert await li(rig, "您好，包裹在路上，明天上午送到") == []  # one chat held: nothing to tell the agent
    assert await customer.read() == "【客服李客服】您好，包裹在路上，明天上午送到"

    [ended] = await li(rig, "/end")
    assert ended.text.startswith(f"#{handoff.id} 已结束，交回小二。")
    assert await customer.read() == say("ho_ended", "zh")
    assert order.tracking_no in await customer.say("我的快递到哪了")  # the bot answers again
    actions = [action for _, action in await audit_actions(database, "handoff")]
    assert actions == ["handoff.open", "handoff.claim", "view_handoff", "handoff.end"]
    await customer.http.close()


async def test_a_telegram_customer_complains_and_an_agent_at_the_console_answers(rig: Rig) -> None:
    [queued] = await telegram_customer(rig, "我要投诉，你们发货太慢了")
    assert queued.text == say("ho_queued", "zh", why=say("ho_why_complaint", "zh"), place="您是下一位")
    desk = zhao(rig)
    [push] = await desk.news("zhao")
    assert "投诉" in push.text and push.buttons[0].payload.startswith("/claim ")
    assert "已接入" in await at_console(desk, push.buttons[0].payload)
    assert (await pushed_to(rig, TELEGRAM_CUSTOMER))[-1].text == say("ho_claimed", "zh", agent="赵客服")

    assert await telegram_customer(rig, "三天了还没发") == []
    [relayed] = await desk.news("zhao")
    assert relayed.text.endswith("顾客：三天了还没发")
    assert await at_console(desk, "非常抱歉，已经让仓库今天发出") == ""
    assert (await pushed_to(rig, TELEGRAM_CUSTOMER))[-1].text == "【客服赵客服】非常抱歉，已经让仓库今天发出"
    assert "交回小二" in await at_console(desk, "/end")
    assert (await pushed_to(rig, TELEGRAM_CUSTOMER))[-1].text == say("ho_ended", "zh")


async def test_two_agents_claiming_one_chat_at_once_one_gets_it_and_the_other_is_told(
    rig: Rig, database: Database
) -> None:
    await telegram_customer(rig, "你好")
    await telegram_customer(rig, "转人工")
    [handoff] = await rig.app.store.waiting_handoffs()
    front = rig.app.front()
    claims = [IncomingMessage("telegram", str(LI_TELEGRAM), str(LI_TELEGRAM), f"/claim {handoff.id}"),
              IncomingMessage("console", "zhao", "zhao", f"/claim {handoff.id}")]  # fmt: skip
    answers = await asyncio.gather(*(front.handle(claim) for claim in claims))
    texts = [replies[0].text for replies in answers]
    won = [text for text in texts if f"已接入 #{handoff.id}：" in text]
    lost = [text for text in texts if "已由" in text]
    assert len(won) == 1 and len(lost) == 1
    held = await rig.app.store.get_handoff(handoff.id)
    assert lost == [f"#{handoff.id} 已由 {held.agent_id} 接入。"]
    claimed = [actor for actor, action in await audit_actions(database, "handoff") if action == "handoff.claim"]
    assert claimed == [f"agent:{held.agent_id}"]


async def test_out_of_hours_the_customer_is_told_when_someone_answers_and_what_they_say_waits_for_the_agent(
    rig: Rig,
) -> None:
    rig.clock.current = datetime(2026, 11, 22, 23, 30, tzinfo=SHANGHAI)
    customer = await web_customer(rig)
    await customer.say("在吗")
    closed = await customer.say("转人工")
    assert closed == say("ho_closed", "zh", why="", hours="每天 09:00–22:00", when="11-23 09:00")
    await customer.say("衣服收到就是破的，想换一件")
    assert await customer.say("转人工") == say("ho_still_waiting", "zh", place="您是下一位")  # asked again: queued once
    [push] = await pushed_to(rig, LI_TELEGRAM)
    assert "非服务时间" in push.text
    rig.clock.current = datetime(2026, 11, 23, 9, 5, tzinfo=SHANGHAI)
    [queue] = await li(rig, "/chats")
    assert "排队中（1）" in queue.text and "等了 9 小时 35 分钟" in queue.text
    [view] = await rig.say(rig.api.press(queue, queue.buttons[0][0][0]))
    assert "顾客（排队时）：衣服收到就是破的，想换一件" in view.text
    await customer.http.close()


async def test_two_misunderstood_turns_in_a_row_hand_the_chat_to_a_person(rig: Rig) -> None:
    customer = await web_customer(rig)
    assert await customer.say("今天天气怎么样") != ""
    handed = await customer.say("你会唱歌吗")
    assert handed == say("ho_queued", "zh", why=say("ho_why_misunderstood", "zh"), place="您是下一位")
    [handoff] = await rig.app.store.waiting_handoffs()
    assert handoff.reason == "misunderstood" and [who for who, _ in handoff.summary["recent"]][-1] == "customer"
    await customer.http.close()


async def test_never_mind_while_waiting_leaves_the_queue_and_a_late_claim_is_told(rig: Rig) -> None:
    customer = await web_customer(rig)
    await customer.say("转人工")
    assert await customer.say("想问下我的退款") == say("ho_queued", "zh", why="", place="您是下一位")
    [handoff] = await rig.app.store.waiting_handoffs()
    assert await customer.say("算了") == say("ho_withdrawn", "zh")
    assert (await rig.app.store.get_handoff(handoff.id)).state is HandoffState.ENDED
    [late] = await li(rig, f"/claim {handoff.id}")
    assert late.text == f"#{handoff.id} 已经结束（顾客取消了排队，或已处理完）。"
    [nowhere] = await li(rig, "您好，在吗")  # holding no chat: the agent learns nobody got it
    assert "没有发给任何顾客" in nowhere.text and await customer.read() == ""
    assert await customer.say("你好") == say("greet_again", "zh")  # the bot serves as before
    await customer.http.close()


async def test_an_agent_holding_two_chats_is_told_which_customer_each_message_goes_to(rig: Rig) -> None:
    first, second = await web_customer(rig), await web_customer(rig)
    await first.say("你好"), await second.say("你好")
    await first.say("转人工")
    assert await second.say("转人工") == say("ho_queued", "zh", why="", place="您前面还有 1 位")
    one, two = await rig.app.store.waiting_handoffs()
    await li(rig, f"/claim {one.id}")
    await li(rig, f"/claim {two.id}")
    await first.read(), await second.read()
    [told] = await li(rig, "请稍等，我查一下")
    assert told.text.startswith(f"↪ 已发给 #{two.id}")
    assert await second.read() == "【客服李客服】请稍等，我查一下" and await first.read() == ""
    [told] = await li(rig, f"/to {one.id} 您好，久等了")
    assert told.text.startswith(f"↪ 已发给 #{one.id}") and await first.read() == "【客服李客服】您好，久等了"
    [not_held] = await li(rig, "/to 99")
    assert not_held.text == "您没有在接待 #99，发送 /chats 查看。"
    for customer in (first, second):
        await customer.http.close()


async def test_every_agent_is_pushed_each_new_case_once_with_a_button_that_opens_it(
    rig: Rig, database: Database
) -> None:
    order = await add_order(database, OrderState.DELIVERED, signed_days_ago=1)
    customer = await web_customer(rig)
    assert await rig.app.case_updates.tick() == 0  # starts at the log's end
    for line in (f"订单 {order.order_no} 我要退货", order.phone_tail, "尺码偏小穿不上"):
        await customer.say(line)
    assert "已提交" in await customer.say("确认提交")
    assert await rig.app.case_updates.tick() == 2 and await rig.app.case_updates.tick() == 0  # li and zhao
    [case] = await rig.app.store.open_cases()
    [news] = await pushed_to(rig, LI_TELEGRAM)
    assert news.text.startswith(f"🆕 新的售后申请 #{case.id} 退货退款") and "尺码" in news.text
    assert "13812345678" not in news.text  # the full receiver only in the audited view
    [opened] = await rig.say(rig.api.press(news, f"查看 #{case.id}"))
    assert "13812345678" in opened.text and opened.callback_data[0] == f"/approve {case.id}@1"
    [console_copy] = await zhao(rig).news("zhao")
    assert console_copy.text == news.text
    await customer.http.close()


async def test_pictures_go_both_ways_between_a_web_customer_and_a_telegram_agent(rig: Rig) -> None:
    customer = await web_customer(rig)
    await customer.say("你好")
    await customer.say("转人工")
    await customer.send_photo(PHOTO, "收到的时候盒子就是这样")  # while waiting: kept for the agent
    [handoff] = await rig.app.store.waiting_handoffs()
    claimed = await li(rig, f"/claim {handoff.id}")
    assert "顾客（排队时）：收到的时候盒子就是这样 [图片 1 张]" in claimed[0].text
    assert [sent.photo for sent in claimed[1:]] == [kept(PHOTO)]  # the picture itself follows the summary
    await customer.read()

    assert await customer.send_photo(PHOTO) == ""  # held: the bot stays silent and relays
    rig.clock.advance(seconds=5)  # the agent's chat is paced at about a message a second
    relayed = (await pushed_to(rig, LI_TELEGRAM))[-2:]
    assert relayed[0].text == f"#{handoff.id} 顾客：[图片 1 张]" and relayed[1].photo == kept(PHOTO)

    label = LABEL  # the agent sends the return label as a photo
    assert await rig.say(rig.api.photo_update(LI_TELEGRAM, data=label)) == []
    text, picture = await customer.messages()
    assert text["text"] == "【客服李客服】发来图片："
    assert base64.b64decode(picture["image"]["data"]) == kept(label) and picture["image"]["mime"] == "image/jpeg"
    await customer.http.close()


async def test_a_customer_left_waiting_alerts_ops_counted_from_when_a_person_was_promised(rig: Rig) -> None:
    rig.clock.current = datetime(2026, 11, 22, 23, 30, tzinfo=SHANGHAI)  # closed: promised for 09:00
    customer = await web_customer(rig)
    await customer.say("我要投诉")
    [handoff] = await rig.app.store.waiting_handoffs()

    async def waiting_alerts(hour: int, minute: int) -> list[tuple[str, str, str]]:
        rig.clock.current = datetime(2026, 11, 23, hour, minute, tzinfo=SHANGHAI)
        change = await rig.app.alerts.report(await rig.app.alerts.scan(rig.clock.now(), ScanLimits()))
        return [(a.subject, a.severity, describe(a, rig.clock.now())) for a in change.open
                if a.kind == "handoff_waiting"]  # fmt: skip

    assert await waiting_alerts(2, 0) == []  # a night in the queue is not late
    assert await waiting_alerts(9, 9) == []
    [(subject, severity, text)] = await waiting_alerts(9, 11)
    assert (subject, severity) == (f"handoff:{handoff.id}", "warning")
    assert text == "顾客已等待 11 分钟无人接入（投诉，来自 web）；发送 /chats 查看并接入"
    assert [severity for _, severity, _ in await waiting_alerts(9, 31)] == ["critical"]
    await li(rig, f"/claim {handoff.id}")
    change = await rig.app.alerts.report(await rig.app.alerts.scan(rig.clock.now(), ScanLimits()))
    assert [a.subject for a in change.resolved] == [f"handoff:{handoff.id}"]  # claimed: the alert clears
    await customer.http.close()


async def _stale_tick(rig: Rig) -> None:
    [job] = [job for job in rig.app.jobs.periodic if job.name == "stale hand-offs"]
    await job.run()
    await rig.settle()


async def test_a_hand_off_nobody_claims_ends_after_the_configured_wait_and_the_customer_is_told(rig: Rig) -> None:
    customer = await web_customer(rig)
    await customer.say("转人工")
    await customer.say("想问下我的退款")
    [handoff] = await rig.app.store.waiting_handoffs()
    rig.clock.advance(minutes=119)
    await _stale_tick(rig)
    assert (await rig.app.store.get_handoff(handoff.id)).state is HandoffState.WAITING
    rig.clock.advance(minutes=2)
    await _stale_tick(rig)
    assert (await rig.app.store.get_handoff(handoff.id)).state is HandoffState.ENDED
    told = await customer.read()
    assert (
        told.startswith("抱歉，一直没有客服接入（您已等待约 2 小时），已为您结束排队。") and "每天 09:00–22:00" in told
    )
    await _stale_tick(rig)
    assert await customer.read() == ""  # told once
    [late] = await li(rig, f"/claim {handoff.id}")
    assert "已经结束" in late.text
    assert "排队" not in await customer.say("我的快递到哪了")  # the bot answers again
    await customer.http.close()


async def test_a_hand_off_queued_after_hours_waits_for_the_morning_before_it_is_given_up(rig: Rig) -> None:
    rig.clock.advance(hours=13)  # 23:00 in Shanghai: nobody works until 09:00
    customer = await web_customer(rig)
    await customer.say("转人工")
    await customer.say("快递丢了")
    [handoff] = await rig.app.store.waiting_handoffs()
    rig.clock.advance(hours=11)  # 10:00, an hour after opening
    await _stale_tick(rig)
    assert (await rig.app.store.get_handoff(handoff.id)).state is HandoffState.WAITING
    rig.clock.advance(hours=1, minutes=1)
    await _stale_tick(rig)
    assert (await rig.app.store.get_handoff(handoff.id)).state is HandoffState.ENDED
    assert "已为您结束排队" in await customer.read()
    await customer.http.close()


async def test_an_agent_labels_what_the_customer_they_serve_just_said_and_it_is_kept_for_the_shop_model(
    rig: Rig,
) -> None:
    customer = await web_customer(rig)
    await customer.say("转人工")
    await customer.say("东西出问题了")
    [handoff] = await rig.app.store.waiting_handoffs()
    assert (await li(rig, "/label 申请仅退款"))[0].text.startswith("您接待的顾客还没有说过话可标注")
    await li(rig, f"/claim {handoff.id}")
    await customer.read()
    assert await customer.say("花瓶拆开全是碎片") == ""  # relayed to the agent, not answered by the bot
    [labelled] = await li(rig, "/label 申请仅退款")
    assert labelled.text.startswith("已标注 #") and "「花瓶拆开全是碎片」为「申请仅退款」" in labelled.text
    assert await customer.read() == ""  # the command went to nobody
    [kept] = [c for c in await rig.app.store.labelled_nlu() if c.text == "花瓶拆开全是碎片"]
    assert kept.label == "refund_only" and kept.why == "staff"
    await customer.http.close()
