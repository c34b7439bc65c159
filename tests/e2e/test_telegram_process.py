"""A `xiaoer serve` process killed after it took in a Telegram update but before the reply went out:
the next process sends the reply, once, and a redelivery of the same update changes nothing."""

from __future__ import annotations

import asyncio
import os
import signal

from sqlalchemy import func, select

from oms_client.sql import models as m
from oms_client.sql.database import open_database
from tests.e2e.conftest import healthy, post_update, serving
from tests.fakes.telegram_api import FakeBotApi
from tests.helpers import until

SECRET = "e2e-secret"
CUSTOMER = 5150


async def failed_sends(url: str) -> int:
    database = open_database(url)
    try:
        async with database.read.connect() as conn:
            query = select(func.count()).where(m.OutgoingRow.attempts > 0, m.OutgoingRow.sent_at.is_(None))
            return int(await conn.scalar(query) or 0)
    finally:
        await database.dispose()


async def test_a_reply_queued_before_a_kill_is_sent_once_by_the_next_process(store_url: str) -> None:
    api = FakeBotApi()
    await api.start()
    api.down = True  # Telegram unreachable: the reply waits in the queue
    env = os.environ | {
        "XIAOER_DATABASE_URL": store_url,
        "XIAOER_TELEGRAM_TOKEN": "123456:E2E",
        "XIAOER_TELEGRAM_API_BASE": api.base,
        "XIAOER_TELEGRAM_WEBHOOK_SECRET": SECRET,
    }
    update = api.text_update(CUSTOMER, "你好")
    try:
        with serving(env) as (first, port):
            await healthy(port)
            assert await post_update(port, update, SECRET) == 200
            await until(lambda: failed_sends(store_url), seconds=30)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        api.down = False
        with serving(env) as (_, port):
            await healthy(port)
            await until(lambda: api.texts(CUSTOMER), seconds=30)
            assert await post_update(port, update, SECRET) == 200  # Telegram delivers it again: nothing new happens
            await asyncio.sleep(2)
        assert len(api.texts(CUSTOMER)) == 1 and "店小二" in api.texts(CUSTOMER)[0]
    finally:
        await api.stop()
