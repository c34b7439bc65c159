"""The report pushed to ops through the real app and the fake Bot API, on SQLite and PostgreSQL: the day before's
goes out once at the configured time as a photo (the key chart) with its summary as the caption, not again that
day however often the job runs, and the next day's the next day; `/report` in the ops chat answers with today's."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from PIL import Image

from oms_client.demo.seed import SeedResult
from oms_client.sql.database import Database
from tests.fakes.telegram_api import Sent
from tests.integration.test_telegram import OPS_CHAT, SHOP_TOML, STAFF_TELEGRAM_ID, Rig, start_rig

DAILY = SHOP_TOML + '\n[report]\ndaily_at = "09:00:00"\n'


@pytest_asyncio.fixture
async def rig(database: Database, seeded: SeedResult, tmp_path: Path) -> AsyncIterator[Rig]:
    async with start_rig(database, tmp_path, shop_toml=DAILY) as built:
        yield built


async def run_report_job(rig: Rig) -> list[Sent]:
    """The minute's report job and the relay after it: what reached the ops chat."""
    [job] = [job for job in rig.app.jobs.periodic if job.name == "report push"]
    before = len(rig.api.sent)
    await rig.app.jobs.periodic_tick(job)
    await rig.app.jobs.relay_tick()
    return [sent for sent in rig.api.sent[before:] if sent.chat_id == str(OPS_CHAT)]


def is_png(data: bytes | None) -> bool:
    with Image.open(io.BytesIO(data or b"")) as image:
        return image.format == "PNG" and image.width > 400


async def test_the_daily_report_goes_out_once_a_day_as_a_chart_with_its_summary(rig: Rig) -> None:
    rig.clock.advance(hours=-2)  # 08:00: not yet
    assert await run_report_job(rig) == []
    rig.clock.advance(hours=2, minutes=1)
    [report] = await run_report_job(rig)
    assert report.text.startswith("店铺日报 2026-11-21\n销售：付款订单") and is_png(report.photo)
    assert await run_report_job(rig) == []  # the same day: nothing more
    rig.clock.advance(hours=5)
    assert await run_report_job(rig) == []
    rig.clock.advance(days=1)
    [next_day] = await run_report_job(rig)
    assert next_day.text.startswith("店铺日报 2026-11-22")


async def test_report_in_the_ops_chat_answers_with_today_so_far(rig: Rig) -> None:
    sent = await rig.say(rig.api.text_update(STAFF_TELEGRAM_ID, "/report"))
    [chart] = [message for message in sent if message.photo]
    [text] = [message for message in sent if not message.photo]
    assert text.text.startswith("今日报表（截至现在） 2026-11-22\n销售：付款订单")
    assert chart.text == "今日报表（截至现在） 2026-11-22" and is_png(chart.photo)
