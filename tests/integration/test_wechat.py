"""The WeChat Official Account channel end to end: the real app over HTTP, real signatures and AES, a fake
WeChat on loopback for the server API, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import aiohttp
import pytest
import pytest_asyncio
from sqlalchemy import select

from bot.bootstrap import App
from bot.channels.wechat import inbound
from bot.channels.wechat.channel import WeChatChannel
from bot.channels.wechat.setup import set_menu
from bot.settings import Settings
from oms_client.chats.inbox import InboxStore
from oms_client.chats.outgoing import Pace, enqueue
from oms_client.clock import FixedClock
from oms_client.demo.seed import SeedResult
from oms_client.domain import OrderState
from oms_client.sql import models as m
from oms_client.sql.database import Database
from tests.conftest import FIXTURES, NOW
from tests.fakes.tencent import Stamped
from tests.fakes.wechat import AES_KEY, APP_ID, APP_SECRET, TOKEN, Delivered, FakeWeChat, Replied
from tests.helpers import app_on_loopback, count_rows, kept
from tests.orders import add_order

CUSTOMER = "oCustomer_openid_0001"
PHOTO = (FIXTURES / "web" / "damaged_parcel.png").read_bytes()


@dataclass
class Rig(Stamped):
    app: App
    wechat: FakeWeChat
    url: str
    clock: FixedClock
    nonces: int = 0

    async def post(self, xml: str, safe: bool = False) -> Replied:
        return await self.wechat.post(xml, self.timestamp, self.nonce(), safe)

    async def say(self, kind: str, safe: bool = False, openid: str = CUSTOMER, **fields: str) -> Replied:
        self.clock.advance(seconds=5)  # people take a few seconds to type
        answer = await self.post(self.wechat.message(kind, openid, self.timestamp, **fields), safe)
        assert answer.status == 200
        return answer

    async def settle(self) -> list[Delivered]:
        """Let every turn finish and every held reply go out; the customer-service messages sent meanwhile."""
        before = len(self.wechat.delivered)
        await self.app.intake.idle()
        self.clock.advance(seconds=6)  # past the hold that waits for a passive reply
        while await self.app.sender.tick():
            pass
        return self.wechat.delivered[before:]


@asynccontextmanager
async def start_rig(database: Database) -> AsyncIterator[Rig]:
    wechat = FakeWeChat()
    await wechat.start()
    config = Settings(
        wechat_token=TOKEN,
        wechat_appid=APP_ID,
        wechat_secret=APP_SECRET,
        wechat_aes_key=AES_KEY,
        wechat_api_base=wechat.base,
    )
    clock = FixedClock(NOW)
    try:
        async with app_on_loopback(config, database, clock) as (app, base):
            wechat.callback_url = f"{base}{inbound.PATH}"
            yield Rig(app, wechat, wechat.callback_url, clock)
    finally:
        await wechat.stop()


@pytest_asyncio.fixture
async def rig(database: Database, seeded: SeedResult) -> AsyncIterator[Rig]:
    async with start_rig(database) as built:
        yield built


@pytest.fixture
def slow_turns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every turn takes longer than the callback may wait: replies go out as customer-service messages."""
    monkeypatch.setattr(inbound, "PASSIVE_WAIT_SECONDS", 0.0)


async def passive_rows(database: Database) -> list[bool]:
    async with database.read.connect() as conn:
        return list((await conn.scalars(select(m.OutgoingRow.passive).order_by(m.OutgoingRow.id))).all())


async def test_url_verification_echoes_only_a_correctly_signed_fresh_request(rig: Rig) -> None:
    params = rig.wechat.signed_query(rig.timestamp, "4242") | {"echostr": "7293847561"}
    async with aiohttp.ClientSession() as http:
        async with http.get(rig.url, params=params) as answer:
            assert (answer.status, await answer.text()) == (200, "7293847561")
        async with http.get(rig.url, params=params | {"signature": "0" * 40}) as answer:
            assert answer.status == 403
        stale = rig.wechat.signed_query(rig.timestamp - 301, "4242") | {"echostr": "1"}
        async with http.get(rig.url, params=stale) as answer:
            assert answer.status == 403


async def test_a_new_follower_gets_the_welcome_as_a_passive_reply_with_tappable_choices(rig: Rig) -> None:
    answer = await rig.say("subscribe")
    assert answer.reply is not None
    assert answer.reply["MsgType"] == "text" and answer.reply["ToUserName"] == CUSTOMER
    assert "店小二" in answer.reply["Content"]
    assert 'href="weixin://bizmsgmenu?msgmenucontent=' in answer.reply["Content"]
    assert await rig.settle() == []  # nothing sent twice
    assert await passive_rows(rig.app.database) == [True]


async def test_safe_mode_conversation_verifies_the_order_with_encrypted_replies(rig: Rig, seeded: SeedResult) -> None:
    sample = next(s for s in seeded.samples if s.courier)
    asked = await rig.say("text", safe=True, content=f"订单 {sample.order_id} 的状态")
    assert asked.reply is not None and "后四位" in asked.reply["Content"]
    answer = await rig.say("text", safe=True, content=sample.phone_tail)
    assert answer.reply is not None
    assert "验证成功" in answer.reply["Content"] and sample.order_id in answer.reply["Content"]
    assert len(answer.reply["Content"].encode()) <= 2048


async def test_a_slow_turn_is_answered_at_once_and_its_reply_sent_as_a_customer_service_message(
    rig: Rig, slow_turns: None
) -> None:
    answer = await rig.say("click", event_key="orders")
    assert (answer.body, answer.reply) == ("success", None)
    [sent] = await rig.settle()
    assert sent.openid == CUSTOMER and "订单号" in sent.content
    assert await passive_rows(rig.app.database) == [False]


async def test_the_same_msgid_delivered_three_times_at_once_is_answered_once(rig: Rig) -> None:
    xml = rig.wechat.message("text", CUSTOMER, rig.timestamp, content="你好")
    same_nonce = [rig.wechat.post(xml, rig.timestamp, "555") for _ in range(2)]
    answers = await asyncio.gather(*same_nonce, rig.wechat.post(xml, rig.timestamp, "556"))
    assert [a.status for a in answers] == [200, 200, 200]
    assert sum(a.reply is not None for a in answers) == 1
    assert await rig.settle() == []
    assert await count_rows(rig.app.database, m.InboxRow) == 1
    assert await count_rows(rig.app.database, m.OutgoingRow) == 1


async def test_a_replayed_nonce_carrying_another_message_is_refused(rig: Rig) -> None:
    first = rig.wechat.message("text", CUSTOMER, rig.timestamp, content="你好")
    assert (await rig.wechat.post(first, rig.timestamp, "777")).status == 200
    forged = rig.wechat.message("text", "oAttacker", rig.timestamp, content="我的订单")
    assert (await rig.wechat.post(forged, rig.timestamp, "777")).status == 403
    await rig.settle()
    assert await count_rows(rig.app.database, m.InboxRow) == 1


async def test_bad_signatures_stale_timestamps_big_bodies_and_broken_xml_change_nothing(rig: Rig) -> None:
    xml = rig.wechat.message("text", CUSTOMER, rig.timestamp, content="你好")
    ts = rig.timestamp
    assert (await rig.wechat.post(xml, ts, "1", signature="0" * 40)).status == 403
    assert (await rig.wechat.post(xml, ts - 400, "2")).status == 403
    assert (await rig.wechat.post(xml, ts, "3", safe=True, msg_signature="0" * 40)).status == 403
    assert (await rig.wechat.post_raw(b"<xml>" + b"x" * 70_000, rig.wechat.signed_query(ts, "4"))).status == 413
    assert (await rig.wechat.post_raw(b"{json}", rig.wechat.signed_query(ts, "5"))).status == 400
    assert (await rig.wechat.post_raw(xml.encode(), {"timestamp": str(ts), "nonce": "6"})).status == 400
    entity = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Content>&a;</Content></xml>'
    assert (await rig.wechat.post_raw(entity, rig.wechat.signed_query(ts, "7"))).status == 400
    assert await count_rows(rig.app.database, m.InboxRow) == 0
    assert rig.wechat.delivered == []


async def test_a_signed_message_nested_five_thousand_deep_is_refused_and_stores_nothing(rig: Rig) -> None:
    deep = "<a>" * 5_000 + "x" + "</a>" * 5_000
    xml = rig.wechat.message("text", CUSTOMER, rig.timestamp, content="你好").replace("</xml>", f"{deep}</xml>")
    assert (await rig.post(xml)).status == 400
    assert (await rig.post(xml, safe=True)).status == 400
    assert await count_rows(rig.app.database, m.InboxRow) == 0
    assert (await rig.say("text", content="你好")).status == 200


async def test_menu_clicks_voice_and_images_reach_the_dialogue(rig: Rig) -> None:
    orders = await rig.say("click", event_key="orders")
    assert orders.reply is not None and "订单号" in orders.reply["Content"]
    human = await rig.say("click", event_key="human")
    assert human.reply is not None and "人工" in human.reply["Content"]
    voice = await rig.say("voice", content="怎么还不发货", media_id="voice-1")
    assert voice.reply is not None and voice.reply["Content"]
    image = await rig.say("image", media_id="pic-1")
    assert image.reply is not None and image.reply["Content"]
    async with rig.app.database.read.connect() as conn:
        payloads = (await conn.scalars(select(m.InboxRow.payload).order_by(m.InboxRow.id))).all()
    assert payloads[-1]["MediaId"] == "pic-1"


async def test_a_customers_picture_is_fetched_from_wechat_once_and_kept_in_the_store(rig: Rig) -> None:
    rig.wechat.media["pic-7"] = PHOTO
    answer = await rig.say("image", media_id="pic-7")
    assert answer.reply is not None and answer.reply["Content"]
    rig.clock.advance(seconds=5)
    await rig.say("image", media_id="pic-7")  # the same picture again is kept once
    async with rig.app.database.read.connect() as conn:
        stored = (await conn.execute(select(m.MediaRow.owner, m.MediaRow.mime, m.MediaRow.data))).all()
    assert [(owner, mime, bytes(data)) for owner, mime, data in stored] == [
        (f"wechat:{CUSTOMER}", "image/jpeg", kept(PHOTO))
    ]


async def test_unfollowing_is_recorded_and_answered_with_nothing(rig: Rig) -> None:
    answer = await rig.say("unsubscribe")
    assert (answer.body, answer.reply) == ("success", None)
    assert await rig.settle() == []
    assert await rig.app.intake.inbox.unhandled() == 0


async def queue_replies(rig: Rig, count: int) -> None:
    bodies = [{"text": f"第 {n} 条"} for n in range(1, count + 1)]
    now, pace = rig.clock.now(), Pace(interval=timedelta(0))
    await rig.app.database.write.run(lambda conn: enqueue(conn, "wechat", CUSTOMER, bodies, pace, now))


async def failed_errors(database: Database) -> list[str]:
    async with database.read.connect() as conn:
        query = select(m.OutgoingRow.last_error).where(m.OutgoingRow.failed_at.is_not(None))
        return [str(error) for error in (await conn.scalars(query)).all()]


async def waiting_for_the_customer(database: Database) -> list[str]:
    """Why each reply kept for the customer's next message could not be sent yet."""
    async with database.read.connect() as conn:
        query = select(m.OutgoingRow.last_error).where(m.OutgoingRow.awaits_customer.is_(True))
        return [str(error) for error in (await conn.scalars(query)).all()]


async def test_customer_service_messages_keep_to_five_per_user_message_and_the_rest_follow_their_next(
    rig: Rig, slow_turns: None
) -> None:
    await rig.say("unsubscribe")  # the user wrote (an event), nothing to answer
    await rig.settle()
    await queue_replies(rig, 6)
    sent = await rig.settle()
    assert [d.content for d in sent] == [f"第 {n} 条" for n in range(1, 6)]
    assert ["5 messages" in error for error in await waiting_for_the_customer(rig.app.database)] == [True]
    await rig.say("text", content="你好")
    sent = await rig.settle()
    assert sent[0].content == "第 6 条"  # kept, and sent first, before the new answer
    assert len(sent) == 2 and await waiting_for_the_customer(rig.app.database) == []


async def test_after_the_48_hour_window_a_message_waits_for_the_customers_next_one(rig: Rig, slow_turns: None) -> None:
    await rig.say("unsubscribe")
    await rig.settle()
    rig.clock.advance(hours=49)
    await queue_replies(rig, 2)  # a case update, then another: neither may go now
    assert await rig.settle() == []
    assert ["48-hour" in error for error in await waiting_for_the_customer(rig.app.database)] == [True]
    rig.clock.advance(days=5)
    await rig.say("text", content="我的退款呢")
    sent = await rig.settle()
    assert [d.content for d in sent][:2] == ["第 1 条", "第 2 条"] and len(sent) == 3
    assert await rig.app.outgoing.unsent() == 0


async def test_a_user_who_cannot_receive_is_failed_for_good_and_others_still_get_replies(
    rig: Rig, slow_turns: None
) -> None:
    rig.wechat.refuse[CUSTOMER] = 43004  # no longer follows the account
    await rig.say("text", content="你好")
    await rig.say("text", openid="oOther", content="你好")
    sent = await rig.settle()
    assert [d.openid for d in sent] == ["oOther"]
    assert ["43004" in error for error in await failed_errors(rig.app.database)] == [True]


async def test_an_expired_access_token_is_fetched_again_once(rig: Rig, slow_turns: None) -> None:
    await rig.say("text", content="你好")
    await rig.settle()
    rig.wechat.expire_token = True
    await rig.say("text", content="帮助")
    assert len(await rig.settle()) == 1
    assert rig.wechat.tokens_issued == 2


async def test_an_image_reply_is_uploaded_then_sent(rig: Rig) -> None:
    await rig.say("unsubscribe")
    channel = rig.app.channels["wechat"]
    assert isinstance(channel, WeChatChannel)
    png = b"\x89PNG\r\n\x1a\nchart"
    await channel.send(CUSTOMER, {"image": base64.b64encode(png).decode(), "mime": "image/png"})
    [sent] = rig.wechat.delivered
    assert sent.kind == "image" and rig.wechat.uploads[sent.content] == png


async def test_the_menu_is_created_with_command_keys(rig: Rig) -> None:
    channel = rig.app.channels["wechat"]
    assert isinstance(channel, WeChatChannel)
    await set_menu(channel.api)
    [menu] = rig.wechat.menus
    assert [(b["name"], b["key"]) for b in menu["button"]] == [
        ("我的订单", "orders"),
        ("转人工", "human"),
        ("帮助", "help"),
    ]


async def test_a_message_stored_before_a_crash_is_answered_by_the_next_process(
    database: Database, seeded: SeedResult
) -> None:
    message = {"ToUserName": "gh_0a1b2c3d4e5f", "FromUserName": CUSTOMER, "MsgType": "text", "Content": "我的订单"}
    message |= {"MsgId": "9001", "CreateTime": str(int(NOW.timestamp()))}
    # What the callback did before the process died: the message is in the inbox, nothing was answered.
    dead = InboxStore(database, "dead-process")
    new_id, _ = await dead.record("wechat", "9001", f"wechat:{CUSTOMER}", message, NOW)
    assert new_id is not None
    async with start_rig(database) as restarted:
        await restarted.app.intake.sweep()
        [sent] = await restarted.settle()
        assert "订单号" in sent.content


async def test_a_late_order_is_told_to_a_wechat_customer_only_within_48_hours_of_their_last_message(
    database: Database,
) -> None:
    async with start_rig(database) as rig:  # no seeded store: this test places its own order
        await _told_within_the_window(rig, database)


async def _told_within_the_window(rig: Rig, database: Database) -> None:
    order = await add_order(database, OrderState.PAID)
    await rig.say("text", content=f"订单 {order.order_no} 到哪了")
    proved = await rig.say("text", content=order.phone_tail)
    assert proved.reply is not None and "验证成功" in proved.reply["Content"]
    await rig.settle()
    rig.clock.advance(days=3)  # late by now, but the customer last wrote three days ago
    assert await rig.app.jobs.scan_tick() and await rig.settle() == []
    assert await count_rows(database, m.CustomerNoticeRow) == 0  # not told, so a later day may still tell
    await rig.say("text", content="你好")
    await rig.settle()
    assert await rig.app.customer_notices.tick() == 1
    [told] = await rig.settle()
    assert order.order_no in told.content and "没能按约定时间发出" in told.content
