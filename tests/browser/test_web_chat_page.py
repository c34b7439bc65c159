"""The web chat page in a real headless Chromium (Debian's, driven by Playwright) against the real app."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from playwright.async_api import Browser, Page, expect

from oms_client.demo.seed import SeedResult
from oms_client.sql import models as m
from oms_client.sql.database import Database
from tests.conftest import FIXTURES
from tests.helpers import count_rows
from tests.web_rig import WebRig, start_web_rig

SECONDS = 10_000  # Playwright waits in milliseconds


@pytest_asyncio.fixture
async def rig(database: Database, seeded: SeedResult) -> AsyncIterator[WebRig]:
    async with start_web_rig(database) as built:
        yield built


async def open_chat(browser: Browser, rig: WebRig, locale: str = "zh-CN") -> Page:
    context = await browser.new_context(locale=locale, viewport={"width": 390, "height": 844}, is_mobile=True)
    page = await context.new_page()
    await page.goto(rig.page)
    return page


async def type_message(page: Page, text: str) -> None:
    await page.fill("#text", text)
    await page.press("#text", "Enter")


def bot_says(page: Page, text: str) -> object:
    return expect(page.locator(".msg.bot .bubble", has_text=text).last).to_be_visible(timeout=SECONDS)


async def test_a_customer_checks_an_order_presses_a_button_and_finds_the_chat_after_reload(
    browser: Browser, rig: WebRig, seeded: SeedResult
) -> None:
    sample = next(s for s in seeded.samples if s.courier)
    page = await open_chat(browser, rig)
    await bot_says(page, "店小二")  # the welcome, without a /start bubble of the customer's
    assert await page.locator(".msg.me").count() == 0
    await type_message(page, f"订单 {sample.order_id} 的状态")
    await bot_says(page, f"请提供订单 {sample.order_id}")
    await type_message(page, sample.phone_tail)
    await bot_says(page, "验证成功")
    answer = page.locator(".msg.bot", has_text="验证成功").last
    buttons = answer.locator(".buttons button")
    assert await buttons.count() >= 1
    pressed = await buttons.first.inner_text()
    await buttons.first.click()
    await expect(page.locator(".msg.me .bubble").last).to_have_text(pressed, timeout=SECONDS)
    await expect(page.locator(".msg.bot")).to_have_count(4, timeout=SECONDS)
    before = await page.locator(".msg .bubble").all_inner_texts()
    await page.reload()
    await expect(page.locator(".msg")).to_have_count(len(before), timeout=SECONDS)
    assert await page.locator(".msg .bubble").all_inner_texts() == before
    assert await count_rows(rig.app.database, m.InboxRow) == 4  # the welcome's /start, not a second one


async def test_a_photo_is_shown_in_the_chat_and_kept_for_the_case(browser: Browser, rig: WebRig) -> None:
    page = await open_chat(browser, rig)
    await bot_says(page, "店小二")
    await page.set_input_files("#photo", str(FIXTURES / "web" / "damaged_parcel.png"))
    picture = page.locator(".msg.me img")
    await expect(picture).to_be_visible(timeout=SECONDS)
    assert await picture.evaluate("img => img.naturalWidth") == 64  # fetched back from the server
    await expect(page.locator(".msg.bot")).to_have_count(2, timeout=SECONDS)
    assert await count_rows(rig.app.database, m.MediaRow) == 1


async def test_an_english_browser_gets_english_words_and_a_polite_refusal(browser: Browser, rig: WebRig) -> None:
    page = await open_chat(browser, rig, locale="en-US")
    await expect(page.locator("#text")).to_have_attribute("placeholder", "Type a message…")
    await page.get_by_role("button", name="Talk to a person").click()
    await expect(page.locator(".msg.me .bubble").last).to_have_text("Talk to a person", timeout=SECONDS)
    await expect(page.locator(".msg.bot")).to_have_count(2, timeout=SECONDS)
    await page.set_input_files("#photo", files=[{"name": "a.pdf", "mimeType": "image/png", "buffer": b"%PDF-1.7"}])
    await expect(page.locator(".note")).to_have_text("Only pictures (JPG, PNG or GIF) can be sent.", timeout=SECONDS)
    assert await count_rows(rig.app.database, m.MediaRow) == 0
