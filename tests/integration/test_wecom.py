"""WeCom end to end: the app callback for staff and 微信客服 for customers, over HTTP with real AES, a fake
WeCom on loopback, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest_asyncio

from bot.bootstrap import App
from bot.channels.reply_window import WAITS_NOTE
from bot.channels.wecom import inbound
from bot.channels.wecom.inbound import WeComCallback
from bot.settings import Settings
from handlers.messages import IncomingMessage
from handlers.staff.roster import Roster, StaffMember
from oms_client.clock import FixedClock
from oms_client.demo.seed import SeedResult
from oms_client.domain import OrderState
from oms_client.sql import models as m
from oms_client.sql.database import Database
from tests.conftest import FIXTURES, NOW
from tests.fakes.tencent import Answer, Stamped, fill
from tests.fakes.wecom import AGENT_ID, CORP_SECRET, FakeWeCom, Sent
from tests.helpers import app_on_loopback, count_rows, kept
from tests.orders import add_order

STAFF = "zhangsan"
CUSTOMER = "wmCustomerExternal01"
SHOP_TOML = f"""
[[staff]]
id = "zhang"
name = "张三"
roles = ["ops"]
wecom = "{STAFF}"
"""
PHOTO = (FIXTURES / "web" / "damaged_parcel.png").read_bytes()
VECTORS = json.loads((FIXTURES / "tencent" / "published_vectors.json").read_text(encoding="utf-8"))


@dataclass
class Rig(Stamped):
    app: App
    wecom: FakeWeCom
    clock: FixedClock
    nonces: int = 0
    NONCE_BASE = 2_000_000

    async def post(self, xml: str) -> Answer:
        return await self.wecom.post(xml, self.timestamp, self.nonce())

    async def staff_says(self, kind: str, **fields: str) -> list[Sent]:
        self.clock.advance(seconds=5)
        before = len(self.wecom.app_sent)
        answer = await self.post(self.wecom.message(kind, STAFF, self.timestamp, **fields))
        assert (answer.status, answer.body) == (200, "")
        await self.settle()
        return self.wecom.app_sent[before:]

    async def customer_says(self, *texts: str, image: bytes | None = None) -> list[Sent]:
        """The customer writes in WeChat; WeCom announces it with a kf event, our app pulls and answers."""
        self.clock.advance(seconds=5)
        before = len(self.wecom.kf_sent)
        for text in texts:
            self.wecom.customer_writes(CUSTOMER, text, self.timestamp)
        if image is not None:
            self.wecom.customer_writes(CUSTOMER, "", self.timestamp, image=image)
        assert (await self.post(self.wecom.kf_event(self.timestamp))).status == 200
        await self.settle()
        return self.wecom.kf_sent[before:]

    async def settle(self) -> None:
        await callback_of(self.app).idle()
        await self.app.intake.idle()
        for _ in range(5):
            self.clock.advance(seconds=5)
            while await self.app.sender.tick():
                pass


@asynccontextmanager
async def start_rig(
    database: Database,
    tmp_path: Path,
    wecom: FakeWeCom | None = None,
    now: datetime = NOW,
    shop_toml: str = SHOP_TOML,
) -> AsyncIterator[Rig]:
    fake = wecom or FakeWeCom()
    await fake.start()
    shop = tmp_path / "shop.toml"
    shop.write_text(shop_toml, encoding="utf-8")
    config = Settings(
        wecom_corp_id=fake.corp_id,
        wecom_secret=CORP_SECRET,
        wecom_agent_id=AGENT_ID,
        wecom_token=fake.token,
        wecom_aes_key=fake.aes_key,
        wecom_api_base=fake.base,
        shop_config=shop,
    )
    clock = FixedClock(now)
    try:
        async with app_on_loopback(config, database, clock) as (app, base):
            fake.callback_url = f"{base}{inbound.PATH}"
            try:
                yield Rig(app, fake, clock)
            finally:
                if app.inbound["wecom"].receiver is not None:
                    await callback_of(app).idle()
    finally:
        await fake.stop()


@pytest_asyncio.fixture
async def rig(database: Database, seeded: SeedResult, tmp_path: Path) -> AsyncIterator[Rig]:
    async with start_rig(database, tmp_path) as built:
        yield built


@pytest_asyncio.fixture
async def agent_rig(database: Database, tmp_path: Path) -> AsyncIterator[Rig]:
    """The staff member is a service agent too: customers handed to a person reach them in the app."""
    agent = SHOP_TOML.replace('roles = ["ops"]', 'roles = ["ops", "agent"]')
    async with start_rig(database, tmp_path, shop_toml=agent) as built:
        yield built


async def test_tencents_published_callback_values_pass_through_the_app(database: Database, tmp_path: Path) -> None:
    sample = FakeWeCom(VECTORS["token"], VECTORS["aes_key"], VECTORS["receive_id"])
    verify = VECTORS["verify_url"]
    async with start_rig(database, tmp_path, sample, datetime.fromtimestamp(int(verify["timestamp"]), UTC)) as rig:
        params = {k: verify[k] for k in ("msg_signature", "timestamp", "nonce", "echostr")}
        async with aiohttp.ClientSession() as http, http.get(sample.callback_url, params=params) as answer:
            assert (answer.status, await answer.text()) == (200, verify["plain"])
        message = VECTORS["message"]
        body = fill("wecom", "encrypted", corp_id=VECTORS["receive_id"], agent_id="218", encrypt=message["encrypt"])
        params = {k: message[k] for k in ("msg_signature", "timestamp", "nonce")}
        assert (await sample.post_raw(body.encode(), params)).status == 200
        await rig.settle()
        reply = sample.app_sent[0]
        assert reply.to == "mycreate" and reply.kind == "text" and reply.text


async def test_staff_chat_in_the_app_and_buttons_arrive_as_template_cards(rig: Rig) -> None:
    sent = await rig.staff_says("text", content="/start")  # staff are shown their own commands
    assert [s.kind for s in sent] == ["text", "template_card"] and "/alerts" in sent[0].text
    card = sent[1].body["template_card"]
    assert card["card_type"] == "button_interaction" and card["task_id"]
    key = card["button_list"][0]["key"]
    [answer] = await rig.staff_says("template_card_event", event_key=key, task_id=card["task_id"])
    assert "告警" in answer.text  # the first button lists the open alerts


async def test_staff_ops_commands_work_in_the_app(rig: Rig) -> None:
    [answer] = await rig.staff_says("text", content="/alerts")
    assert answer.to == STAFF and answer.text


async def test_the_same_msgid_delivered_three_times_at_once_is_answered_once(rig: Rig) -> None:
    xml = rig.wecom.message("text", STAFF, rig.timestamp, content="你好")
    answers = await asyncio.gather(*(rig.post(xml) for _ in range(3)))
    assert [a.status for a in answers] == [200, 200, 200]
    await rig.settle()
    assert [s.kind for s in rig.wecom.app_sent] == ["text", "template_card"]  # one greeting, once
    assert await count_rows(rig.app.database, m.InboxRow) == 1


async def test_wrong_signatures_stale_timestamps_and_replays_change_nothing(rig: Rig) -> None:
    xml = rig.wecom.message("text", STAFF, rig.timestamp, content="你好")
    assert (await rig.wecom.post(xml, rig.timestamp, "1", msg_signature="0" * 40)).status == 403
    assert (await rig.wecom.post(xml, rig.timestamp - 400, "2")).status == 403
    assert (await rig.wecom.post(xml, rig.timestamp, "3")).status == 200
    other = rig.wecom.message("text", "intruder", rig.timestamp, content="/alerts")
    assert (await rig.wecom.post(other, rig.timestamp, "3")).status == 403
    await rig.settle()
    assert await count_rows(rig.app.database, m.InboxRow) == 1


async def test_url_verification_returns_the_decrypted_echo(rig: Rig) -> None:
    params = rig.wecom.verify_query(rig.timestamp, "99", "echo-4242")
    async with aiohttp.ClientSession() as http:
        async with http.get(rig.wecom.callback_url, params=params) as answer:
            assert (answer.status, await answer.text()) == (200, "echo-4242")
        async with http.get(rig.wecom.callback_url, params=params | {"msg_signature": "0" * 40}) as answer:
            assert answer.status == 403


async def test_a_wechat_customer_is_answered_through_kf_with_a_menu(rig: Rig, seeded: SeedResult) -> None:
    sent = await rig.customer_says("我的订单")
    assert [s.to for s in sent] == [CUSTOMER]
    assert "订单号" in sent[0].text or sent[0].kind == "msgmenu"
    sample = next(s for s in seeded.samples if s.courier)
    [asked] = await rig.customer_says(f"订单 {sample.order_id} 的状态")
    assert "后四位" in asked.text
    answer = await rig.customer_says(sample.phone_tail)
    assert answer[0].kind == "msgmenu" and "验证成功" in answer[0].body["msgmenu"]["head_content"]
    assert answer[0].body["msgmenu"]["list"][0]["click"]["content"]


async def test_kf_pages_are_pulled_once_from_the_saved_cursor_even_after_a_restart(
    database: Database, seeded: SeedResult, tmp_path: Path
) -> None:
    wecom = FakeWeCom()  # keeps every message; only our saved cursor says what was read
    async with start_rig(database, tmp_path, wecom) as rig:
        sent = await rig.customer_says("你好", "/help", "/cancel")  # two pages of sync_msg
        assert len(sent) == 3
    async with start_rig(database, tmp_path, wecom) as restarted:
        calls_before = len(wecom.sync_calls)
        sent = await restarted.customer_says("/help")
        assert len(sent) == 1
        assert wecom.sync_calls[calls_before]["cursor"] == "3"
    assert await count_rows(database, m.InboxRow) == 4


async def test_servicer_messages_in_the_kf_feed_are_not_answered(rig: Rig) -> None:
    rig.wecom.customer_writes(CUSTOMER, "您好，我是客服小王", rig.timestamp, origin=5)
    assert await rig.customer_says() == []
    assert await count_rows(rig.app.database, m.InboxRow) == 0


async def test_a_wechat_customer_on_kf_and_an_agent_in_the_wecom_app_talk_through_the_bot_pictures_too(
    agent_rig: Rig,
) -> None:
    rig = agent_rig
    await rig.customer_says("你好")
    await rig.customer_says("转人工")
    await rig.settle()
    cards = [s for s in rig.wecom.app_sent if s.kind == "template_card"]
    [summary] = [s for s in rig.wecom.app_sent if s.kind == "text" and "转人工 #" in s.text]
    card = cards[-1].body["template_card"]
    assert summary.to == STAFF and [b["text"] for b in card["button_list"]] == ["接入 #1"]
    key = card["button_list"][0]["key"]
    claimed = await rig.staff_says("template_card_event", event_key=key, task_id=card["task_id"])
    assert "已接入 #1" in claimed[0].text
    assert rig.wecom.kf_sent[-1].text == "客服张三已接入，请问有什么可以帮您？"

    assert await rig.customer_says(image=PHOTO) == []  # held: the bot says nothing itself
    relayed = rig.wecom.app_sent[-2:]
    assert relayed[0].text == "#1 顾客：[图片 1 张]" and relayed[1].kind == "image"
    assert rig.wecom.uploads[relayed[1].body["image"]["media_id"]] == kept(PHOTO)  # fetched, kept, uploaded again
    await rig.staff_says("text", content="收到，给您补发一件")
    assert rig.wecom.kf_sent[-1].text == "【客服张三】收到，给您补发一件"


async def test_a_kf_customer_files_a_return_and_hears_of_the_agents_approval_through_send_msg(
    database: Database, tmp_path: Path
) -> None:
    async with start_rig(database, tmp_path) as rig:
        order = await add_order(database, OrderState.DELIVERED, signed_days_ago=1)
        await rig.app.case_updates.tick()
        for line in (f"订单 {order.order_no} 我要退货", order.phone_tail, "不喜欢"):
            await rig.customer_says(line)
        [filed] = await rig.customer_says("确认提交")
        assert "已提交" in filed.body["msgmenu"]["head_content"]
        [case] = await rig.app.store.open_cases()
        agent = StaffMember(id="li", name="李客服", roles=("agent",))
        await rig.app.front(Roster((agent,))).handle(IncomingMessage("console", "li", "li", f"/approve {case.id}"))
        assert await rig.app.case_updates.tick() == 1
        await rig.settle()
        told = rig.wecom.kf_sent[-1]
        assert told.to == CUSTOMER and f"退货退款申请 #{case.id}" in told.text and "已同意" in told.text


async def test_a_customer_entering_the_kf_chat_is_welcomed_with_the_events_code_once(
    rig: Rig, seeded: SeedResult
) -> None:
    sample = seeded.samples[0]
    code = rig.wecom.customer_enters(CUSTOMER, rig.timestamp, scene_param=sample.order_id)
    assert await rig.customer_says() == []  # nothing through send_msg: the customer has not written yet
    [welcome] = rig.wecom.welcomes
    assert welcome.to == code and code not in rig.wecom.welcome_codes
    shown = welcome.body.get("msgmenu", {}).get("head_content", "") or welcome.text
    assert sample.order_id in shown and "后四位" in shown  # the link's order, as /start ORDER reads it
    await rig.customer_says()  # the same event pulled again (another notification) is not welcomed twice
    assert len(rig.wecom.welcomes) == 1


async def test_kf_messages_whose_event_was_never_pulled_are_found_by_the_safety_pull(rig: Rig) -> None:
    await rig.customer_says("你好")  # the account is known from now on
    rig.wecom.customer_writes(CUSTOMER, "/help", rig.timestamp)  # WeCom's event went to a process that died
    kf = callback_of(rig.app).kf
    assert kf is not None
    before = len(rig.wecom.kf_sent)
    assert await kf.pull_known() == 1
    await rig.settle()
    assert "直接说您要办的事" in rig.wecom.kf_sent[before].body["msgmenu"]["head_content"]  # the help, answered
    assert await kf.pull_known() == 0  # read once, from the saved cursor


async def test_an_agent_writing_to_a_kf_customer_silent_for_two_days_is_told_it_waits_for_them(agent_rig: Rig) -> None:
    rig = agent_rig
    await rig.customer_says("你好")
    await rig.customer_says("转人工")
    await rig.staff_says("text", content="/claim 1")
    rig.clock.advance(hours=49)
    [note] = await rig.staff_says("text", content="您好，退款已经处理好了")
    assert note.text == WAITS_NOTE
    before = len(rig.wecom.kf_sent)
    assert rig.wecom.kf_sent[before - 1].text != "【客服张三】您好，退款已经处理好了"  # not sent: it waits
    await rig.customer_says("还在吗")
    assert [s.text for s in rig.wecom.kf_sent[before:]] == ["【客服张三】您好，退款已经处理好了"]
    assert [s.text for s in await rig.staff_says("text", content="在的")] == []  # within the window again


def callback_of(app: App) -> WeComCallback:
    callback = app.inbound["wecom"].receiver
    assert isinstance(callback, WeComCallback)
    return callback
