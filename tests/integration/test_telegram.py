"""The Telegram channel end to end: the real app over HTTP, aiogram against a fake Bot API, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest_asyncio
from sqlalchemy import select

from bot.bootstrap import App
from bot.channels.telegram.inbound import SECRET_HEADER, WEBHOOK_PATH
from bot.channels.telegram.setup import run_telegram
from bot.settings import Settings
from oms_client.alerts.kinds import Finding
from oms_client.alerts.lifecycle import sync_alerts
from oms_client.chats.inbox import InboxStore
from oms_client.clock import FixedClock
from oms_client.demo.seed import SeedResult
from oms_client.sql import models as m
from oms_client.sql.database import Database
from oms_client.sql.leases import Liveness
from tests.conftest import NOW
from tests.fakes.telegram_api import FakeBotApi, Sent
from tests.helpers import app_on_loopback, count_rows, until

SECRET = "s3cret-token_1"
CUSTOMER = 424242
OPS_CHAT = -1001
STAFF_TELEGRAM_ID = 777
SHOP_TOML = f"""
[alerts]
targets = [{{ name = "ops-tg", kind = "telegram", chat_id = {OPS_CHAT} }}]

[[staff]]
id = "wang"
name = "王主管"
roles = ["ops"]
telegram = {STAFF_TELEGRAM_ID}
"""


@dataclass
class Rig:
    app: App
    api: FakeBotApi
    url: str
    clock: FixedClock

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> int:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        async with aiohttp.ClientSession() as http, http.post(self.url, json=update, headers=headers) as answer:
            return answer.status

    async def say(self, update: dict[str, Any]) -> list[Sent]:
        """Post an update, let the app answer it and send what is due; what reached Telegram."""
        before = len(self.api.sent)
        self.clock.advance(seconds=5)  # people take a few seconds to type; the chat's pace has recovered
        assert await self.post(update) == 200
        await self.settle()
        return self.api.sent[before:]

    async def settle(self) -> None:
        await self.app.intake.idle()
        while await self.app.sender.tick():
            pass


@asynccontextmanager
async def start_rig(
    database: Database, tmp_path: Path, secret: str | None = SECRET, shop_toml: str = SHOP_TOML
) -> AsyncIterator[Rig]:
    api = FakeBotApi()
    await api.start()
    shop = tmp_path / "shop.toml"
    shop.write_text(shop_toml, encoding="utf-8")
    config = Settings(
        telegram_token="123456:TEST",
        telegram_api_base=api.base,
        telegram_webhook_secret=secret,
        shop_config=shop,
    )
    clock = FixedClock(NOW)
    try:
        async with app_on_loopback(config, database, clock) as (app, base):
            yield Rig(app, api, f"{base}{WEBHOOK_PATH}", clock)
    finally:
        await api.stop()


@pytest_asyncio.fixture
async def rig(database: Database, seeded: SeedResult, tmp_path: Path) -> AsyncIterator[Rig]:
    async with start_rig(database, tmp_path) as built:
        yield built


async def test_customer_checks_an_order_and_gets_buttons_within_telegram_limits(rig: Rig, seeded: SeedResult) -> None:
    sample = next(s for s in seeded.samples if s.courier)
    [asked] = await rig.say(rig.api.text_update(CUSTOMER, f"订单 {sample.order_id} 的状态"))
    assert "后四位" in asked.text and asked.chat_id == str(CUSTOMER)
    [answer] = await rig.say(rig.api.text_update(CUSTOMER, sample.phone_tail))
    assert "验证成功" in answer.text and sample.order_id in answer.text
    assert answer.parse_mode == ""  # shown as written, whatever an order title contains
    assert answer.callback_data and all(len(data.encode()) <= 64 for data in answer.callback_data)


async def test_pressing_a_button_sends_its_payload_and_stops_the_spinner(rig: Rig) -> None:
    [welcome] = await rig.say(rig.api.text_update(CUSTOMER, "/start"))
    assert "店小二" in welcome.text
    press = rig.api.press(welcome, "我的订单")
    [answer] = await rig.say(press)
    assert "订单号" in answer.text  # not verified yet: asked for an order number
    assert rig.api.answered == [press["callback_query"]["id"]]


async def test_start_with_a_deep_link_reads_the_payload_as_an_order_number(rig: Rig, seeded: SeedResult) -> None:
    sample = seeded.samples[0]
    [asked] = await rig.say(rig.api.text_update(CUSTOMER, f"/start {sample.order_id}"))
    assert sample.order_id in asked.text and "后四位" in asked.text


async def test_menu_commands_help_orders_and_cancel(rig: Rig, seeded: SeedResult) -> None:
    [help_text] = await rig.say(rig.api.text_update(CUSTOMER, "/help@xiaoer_test_bot"))
    assert "直接说您要办的事" in help_text.text
    await rig.say(rig.api.text_update(CUSTOMER, f"订单 {seeded.samples[0].order_id}"))
    [cancelled] = await rig.say(rig.api.text_update(CUSTOMER, "/cancel"))
    assert "已取消" in cancelled.text
    [after] = await rig.say(rig.api.text_update(CUSTOMER, "1234"))  # no longer read as the phone tail
    assert "验证" not in after.text


async def test_the_same_update_delivered_three_times_at_once_is_answered_once(rig: Rig) -> None:
    update = rig.api.text_update(CUSTOMER, "你好")
    statuses = await asyncio.gather(*(rig.post(update) for _ in range(3)))
    assert statuses == [200, 200, 200]
    await rig.settle()
    assert len(rig.api.texts(CUSTOMER)) == 1
    assert await count_rows(rig.app.database, m.InboxRow) == 1


async def test_a_wrong_secret_or_a_malformed_body_is_refused_and_stores_nothing(rig: Rig) -> None:
    update = rig.api.text_update(CUSTOMER, "你好")
    assert await rig.post(update, secret="guess") == 401
    assert await rig.post(update, secret=None) == 401
    async with aiohttp.ClientSession() as http:
        headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
        async with http.post(rig.url, data=b"{not json", headers=headers) as answer:
            assert answer.status == 400
        async with http.post(rig.url, data=b"x" * 70_000, headers=headers) as answer:
            assert answer.status == 413
    assert await count_rows(rig.app.database, m.InboxRow) == 0
    assert rig.api.sent == []


async def test_a_delivery_stored_before_a_crash_is_answered_by_the_next_process(
    database: Database, seeded: SeedResult, tmp_path: Path
) -> None:
    api = FakeBotApi()
    update = api.text_update(CUSTOMER, "我的订单")
    # What the webhook did before the process died: the update is in the inbox, nothing was answered.
    dead = InboxStore(database, "dead-process")
    new_id, _ = await dead.record("telegram", str(update["update_id"]), f"telegram:{CUSTOMER}", update, NOW)
    assert new_id is not None
    async with start_rig(database, tmp_path) as restarted:
        await restarted.app.intake.sweep()
        await restarted.settle()
        [answer] = restarted.api.sent
        assert "订单号" in answer.text
        assert await restarted.app.intake.inbox.unhandled() == 0


async def test_a_turn_claimed_by_a_process_killed_mid_turn_is_taken_over_once_its_heartbeat_lapses(
    database: Database, seeded: SeedResult, tmp_path: Path
) -> None:
    api = FakeBotApi()
    update = api.text_update(CUSTOMER, "我的订单")
    liveness = Liveness(database)
    await liveness.beat("killed-process", timedelta(seconds=15), NOW)
    # It recorded the update and claimed it for a minute, then was killed before answering.
    dead = InboxStore(database, "killed-process")
    await dead.record("telegram", str(update["update_id"]), f"telegram:{CUSTOMER}", update, NOW, claim=True)
    async with start_rig(database, tmp_path) as restarted:
        restarted.clock.advance(seconds=10)  # still alive as far as anyone can tell: its claim holds
        await restarted.app.intake.sweep()
        await restarted.settle()
        assert restarted.api.sent == []
        restarted.clock.advance(seconds=10)  # 20 s on: silent past its heartbeat, long before the claim's minute
        await restarted.app.intake.sweep()
        await restarted.settle()
        [answer] = restarted.api.sent
        assert "订单号" in answer.text and await restarted.app.intake.inbox.unhandled() == 0


async def test_a_claim_of_a_holder_that_never_beat_keeps_its_full_time(
    database: Database, seeded: SeedResult, tmp_path: Path
) -> None:
    api = FakeBotApi()
    update = api.text_update(CUSTOMER, "我的订单")
    console = InboxStore(database, "console-chat")
    await console.record("telegram", str(update["update_id"]), f"telegram:{CUSTOMER}", update, NOW, claim=True)
    async with start_rig(database, tmp_path) as other:
        other.clock.advance(seconds=30)
        await other.app.intake.sweep()
        await other.settle()
        assert other.api.sent == []


async def test_replies_of_one_chat_keep_their_order_and_pace(rig: Rig) -> None:
    texts = ["/help", "你好", "/cancel", "/help", "/cancel"]
    for text in texts:
        assert await rig.post(rig.api.text_update(CUSTOMER, text)) == 200
    await rig.app.intake.idle()
    await rig.settle()
    assert len(rig.api.sent) == 3  # a burst of three at once, then about one a second
    for _ in range(2):
        rig.clock.advance(seconds=1)
        await rig.settle()
    replies = rig.api.texts(CUSTOMER)
    assert len(replies) == 5
    assert ["直接说" in replies[0], "已取消" in replies[2], "直接说" in replies[3], "已取消" in replies[4]] == [
        True
    ] * 4


async def test_a_429_holds_the_chat_for_retry_after_then_sends(rig: Rig) -> None:
    rig.api.rate_limit_next, rig.api.retry_after = 1, 3
    assert await rig.say(rig.api.text_update(CUSTOMER, "你好")) == []
    rig.clock.advance(seconds=2)
    await rig.settle()
    assert rig.api.sent == []
    rig.clock.advance(seconds=1)
    await rig.settle()
    assert len(rig.api.sent) == 1
    async with rig.app.database.read.connect() as conn:
        assert await conn.scalar(select(m.OutgoingRow.attempts)) == 0  # waiting is not failing


async def test_a_user_who_blocked_the_bot_does_not_hold_up_other_chats(rig: Rig) -> None:
    rig.api.blocked.add(str(CUSTOMER))
    await rig.say(rig.api.text_update(CUSTOMER, "你好"))
    [other] = await rig.say(rig.api.text_update(CUSTOMER + 1, "你好"))
    assert other.chat_id == str(CUSTOMER + 1)
    async with rig.app.database.read.connect() as conn:
        failed = (
            await conn.execute(
                select(m.OutgoingRow.chat_id, m.OutgoingRow.last_error).where(m.OutgoingRow.failed_at.is_not(None))
            )
        ).all()
    assert [(chat, "blocked" in (error or "")) for chat, error in failed] == [(str(CUSTOMER), True)]


async def push_one_alert(rig: Rig) -> tuple[Sent, int]:
    """An oversell alert as the relay pushes it to the ops group, with its buttons."""
    app = rig.app
    finding = Finding("oversell", "SKU-A", "critical", {"demand": 5, "on_hand": 2, "orders_at_risk": []})
    async with app.database.write.begin() as conn:
        await sync_alerts(conn, [finding], ["oversell"], NOW, app.shop.alerts.routing(NOW, app.zone))
    await app.jobs.relay.tick()
    [push] = rig.api.sent
    assert push.chat_id == str(OPS_CHAT)
    return push, int(next(data for data in push.callback_data if data.startswith("/ack")).split()[1])


async def test_ops_staff_acknowledge_an_alert_by_pressing_its_button(rig: Rig) -> None:
    push, alert_id = await push_one_alert(rig)
    [reply] = await rig.say(rig.api.press(push, "确认", user_id=STAFF_TELEGRAM_ID))
    assert reply.chat_id == str(OPS_CHAT) and str(alert_id) in reply.text
    alert = await rig.app.alerts.get(alert_id)
    assert alert is not None and alert.acked_by == "王主管"


async def test_a_customer_pressing_an_alert_button_changes_nothing(rig: Rig) -> None:
    push, alert_id = await push_one_alert(rig)
    await rig.say(rig.api.press(push, "确认", user_id=CUSTOMER))
    alert = await rig.app.alerts.get(alert_id)
    assert alert is not None and alert.acked_by is None


async def test_long_polling_sets_the_menu_stores_updates_and_confirms_them(
    database: Database, seeded: SeedResult, tmp_path: Path
) -> None:
    async with start_rig(database, tmp_path, secret=None) as rig:
        bot = rig.app.channels["telegram"].bot  # type: ignore[attr-defined]
        tasks = [
            asyncio.create_task(run_telegram(bot, rig.app.intake, None, None)),
            asyncio.create_task(rig.app.sender.run()),
        ]
        rig.api.queue(rig.api.text_update(CUSTOMER, "/help"))
        await until(lambda: rig.api.texts(CUSTOMER))
        await until(lambda: not rig.api.updates)  # the next getUpdates moved the offset past it
        for task in tasks:
            task.cancel()
        assert rig.api.webhook_deleted == 1
        assert rig.api.commands[""] == ["orders", "help", "cancel"] == rig.api.commands["en"]
        assert "直接说您要办的事" in rig.api.texts(CUSTOMER)[0]


async def test_webhook_mode_registers_the_public_url_with_its_secret(database: Database, tmp_path: Path) -> None:
    async with start_rig(database, tmp_path) as rig:
        bot = rig.app.channels["telegram"].bot  # type: ignore[attr-defined]
        await run_telegram(bot, rig.app.intake, "https://shop.example.com/telegram/webhook", SECRET)
        assert rig.api.webhook is not None
        assert rig.api.webhook["url"] == "https://shop.example.com/telegram/webhook"
        assert rig.api.webhook["secret_token"] == SECRET
        assert rig.api.get_updates_calls == 0
