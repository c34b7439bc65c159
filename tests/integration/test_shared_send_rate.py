"""Two processes sending replies to one Telegram bot keep to the bot's overall rate together (the budget is
in the store), and each chat's own pace holds across both; alert pushes to the bot count in the same budget.
Two apps on one store stand for two processes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import Connection

from bot.bootstrap import App, bootstrap
from bot.channels.clients import Shared
from bot.pushers.build import WithinRate
from bot.settings import Settings
from notifications.compose import PushMessage
from notifications.push import RetryAfter
from oms_client.budgets import SENDS
from oms_client.chats.outgoing import Pace, enqueue
from oms_client.clock import FixedClock
from oms_client.sql.database import Database
from oms_client.stores.budgets import SqlBudgets
from oms_client.stores.tokens import SqlTokens
from tests.conftest import NOW
from tests.fakes.telegram_api import FakeBotApi

RATE = 30
CHATS = 100


@asynccontextmanager
async def serving(database: Database, api: FakeBotApi) -> AsyncIterator[App]:
    settings = Settings(telegram_token="123456:SHARED", telegram_api_base=api.base, telegram_per_second=RATE)
    app = await bootstrap(settings, clock=FixedClock(NOW), database=database)
    try:
        yield app
    finally:
        await app.clients.close()


async def test_two_senders_keep_to_one_overall_rate_and_each_chats_pace(database: Database) -> None:
    api = FakeBotApi()
    await api.start()

    def queue(conn: Connection) -> None:
        pace = Pace(timedelta(seconds=1))
        for chat in range(CHATS):  # two replies each: the second is due a second after the first
            enqueue(conn, "telegram", str(1000 + chat), [{"text": "一"}, {"text": "二"}], pace, NOW)

    await database.write.run(queue)
    try:
        async with AsyncExitStack() as stack:
            apps = [await stack.enter_async_context(serving(database, api)) for _ in "ab"]
            per_second = []
            for second in range(5):
                for app in apps:
                    assert isinstance(app.clock, FixedClock)
                    app.clock.current = NOW + timedelta(seconds=second, milliseconds=1)
                before = len(api.sent)
                await asyncio.gather(*(app.sender.tick() for app in apps))
                chats = [message.chat_id for message in api.sent[before:]]
                assert len(set(chats)) == len(chats)  # no chat twice in one second, whichever process sent
                per_second.append(len(chats))
            assert per_second == [RATE] * 5
            seen: set[str] = set()
            for message in api.sent:  # each chat's first reply went before its second
                assert message.text == ("二" if message.chat_id in seen else "一")
                seen.add(message.chat_id)
    finally:
        await api.stop()


@dataclass
class Recording:
    """A push target that takes everything: what reached it."""

    pushed: list[PushMessage] = field(default_factory=list)

    async def push(self, message: PushMessage) -> None:
        self.pushed.append(message)


async def test_an_alert_push_waits_when_the_replies_used_this_seconds_rate(database: Database) -> None:
    clock = FixedClock(NOW)
    budgets = SqlBudgets(database)
    target = Recording()
    pusher = WithinRate(target, Shared(SqlTokens(database), budgets, clock), RATE)
    assert await budgets.take_sliding(SENDS, RATE, RATE, timedelta(seconds=1), clock.now()) == RATE  # the replies'
    message = PushMessage("超卖 CL-02", ("待发 158 件，库存 156 件",), "critical")
    with pytest.raises(RetryAfter):
        await pusher.push(message)
    clock.advance(seconds=1, milliseconds=1)
    await pusher.push(message)
    assert target.pushed == [message]


async def test_no_second_holds_more_than_the_rate_even_across_a_window_edge(database: Database) -> None:
    budgets, second = SqlBudgets(database), timedelta(seconds=1)
    late = NOW + timedelta(milliseconds=900)
    assert await budgets.take_sliding(SENDS, RATE, RATE, second, late) == RATE  # a second's sends, all at its end
    early = NOW + timedelta(milliseconds=1_100)  # a fixed window would start afresh here and grant RATE more
    assert await budgets.take_sliding(SENDS, RATE, RATE, second, early) == 0
    assert await budgets.take_sliding(SENDS, RATE, RATE, second, late + second + timedelta(milliseconds=1)) == RATE


async def test_sends_that_went_out_late_count_against_the_second_they_went_out_in(database: Database) -> None:
    budgets, second = SqlBudgets(database), timedelta(seconds=1)
    assert await budgets.take_sliding(SENDS, RATE, RATE, second, NOW) == RATE
    went_out = NOW + timedelta(milliseconds=950)  # a busy process: the granted round reached the platform late
    await budgets.restamp(SENDS, NOW, went_out, RATE)
    assert await budgets.take_sliding(SENDS, RATE, RATE, second, NOW + timedelta(milliseconds=1_010)) == 0
    assert await budgets.take_sliding(SENDS, RATE, RATE, second, went_out + second + timedelta(milliseconds=1)) == RATE
