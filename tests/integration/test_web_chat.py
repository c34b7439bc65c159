"""The web chat's HTTP API with the real app on loopback, SQLite and PostgreSQL (the page itself is driven
in a real browser by tests/browser)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from sqlalchemy import select

from bot.channels.web import inbound
from bot.channels.web.inbound import REQUEST_HEADER
from oms_client.chats.outgoing import Pace, enqueue
from oms_client.demo.seed import SeedResult
from oms_client.sql import models as m
from oms_client.sql.database import Database
from tests.conftest import FIXTURES
from tests.helpers import count_rows, kept
from tests.web_rig import WebRig, start_web_rig

PHOTO = (FIXTURES / "web" / "damaged_parcel.png").read_bytes()


@pytest_asyncio.fixture
async def rig(database: Database, seeded: SeedResult) -> AsyncIterator[WebRig]:
    async with start_web_rig(database) as built:
        yield built


@pytest_asyncio.fixture
async def visitor(rig: WebRig) -> AsyncIterator[aiohttp.ClientSession]:
    http = await rig.visitor()
    yield http
    await http.close()


@pytest.fixture
def short_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inbound, "WAIT_SECONDS", 3.0)


async def replies(rig: WebRig, http: aiohttp.ClientSession, after: int = 0) -> dict[str, Any]:
    return await rig.replies(http, after)


async def test_a_visitor_verifies_an_order_and_the_history_holds_both_sides(
    rig: WebRig, visitor: aiohttp.ClientSession, seeded: SeedResult
) -> None:
    sample = seeded.samples[0]
    assert await rig.post(visitor, {"id": "m-000001", "text": f"订单 {sample.order_id} 的状态"}) == (202, {"ok": True})
    asked = await replies(rig, visitor)
    assert "后四位" in asked["messages"][0]["text"]
    await rig.post(visitor, {"id": "m-000002", "text": sample.phone_tail})
    answered = await replies(rig, visitor, asked["after"])
    assert "验证成功" in answered["messages"][0]["text"]
    async with visitor.get(f"{rig.page}/api/history") as answer:
        history = await answer.json()
    assert [line["from"] for line in history["messages"]] == ["me", "bot", "me", "bot"]
    assert history["messages"][2]["text"] == sample.phone_tail
    assert history["after"] == answered["after"]
    assert await rig.app.sender.outgoing.unsent() == 0  # fetched replies count as sent


async def test_another_visitor_sees_neither_the_chat_nor_the_order(
    rig: WebRig, visitor: aiohttp.ClientSession, seeded: SeedResult
) -> None:
    sample = seeded.samples[0]
    await rig.post(visitor, {"id": "m-000001", "text": f"订单 {sample.order_id} 的状态"})
    await rig.post(visitor, {"id": "m-000002", "text": sample.phone_tail})
    await replies(rig, visitor)
    stranger = await rig.visitor()
    try:
        async with stranger.get(f"{rig.page}/api/history") as answer:
            assert (await answer.json())["messages"] == []
        await rig.post(stranger, {"id": "m-000003", "text": f"订单 {sample.order_id} 的状态"})
        asked = await replies(rig, stranger)
        assert "后四位" in asked["messages"][0]["text"] and sample.phone_tail not in asked["messages"][0]["text"]
    finally:
        await stranger.close()


async def test_the_same_message_posted_three_times_at_once_is_answered_once(
    rig: WebRig, visitor: aiohttp.ClientSession
) -> None:
    message = {"id": "resend-0001", "text": "你好"}
    answers = await asyncio.gather(*(rig.post(visitor, message) for _ in range(3)))
    assert [status for status, _ in answers] == [202, 202, 202]
    assert len((await replies(rig, visitor))["messages"]) == 1
    assert await count_rows(rig.app.database, m.InboxRow) == 1


async def test_bad_requests_are_refused_with_a_reason_and_store_nothing(
    rig: WebRig, visitor: aiohttp.ClientSession
) -> None:
    async with (
        aiohttp.ClientSession() as no_cookie,
        no_cookie.post(f"{rig.page}/api/messages", json={"id": "m-000001", "text": "你好"}) as answer,
    ):
        assert (answer.status, await answer.json()) == (401, {"error": "no_session"})
    async with visitor.post(f"{rig.page}/api/messages", json={"id": "m-000001", "text": "你好"}) as answer:
        assert (answer.status, await answer.json()) == (403, {"error": "forbidden"})  # no page header: cross-site
    refused = [
        ({"id": "m-000001", "text": "好" * 1001}, "too_long"),
        ({"id": "m-000001", "text": "   "}, "empty"),
        ({"id": "short", "text": "你好"}, "bad_request"),
        ({"id": "m-000001", "text": ["你好"]}, "bad_request"),
        ({"id": "m-000001", "text": "", "image": "0" * 40}, "no_image"),
    ]
    for message, code in refused:
        assert await rig.post(visitor, message) == (400, {"error": code})
    async with visitor.post(f"{rig.page}/api/messages", data=b"{", headers={REQUEST_HEADER: "1"}) as answer:
        assert (answer.status, await answer.json()) == (400, {"error": "bad_request"})
    assert await rig.upload(visitor, b"%PDF-1.7 not a picture") == (415, {"error": "not_image"})
    assert await rig.upload(visitor, PHOTO + b"\0" * inbound.IMAGE_LIMIT) == (413, {"error": "too_large"})
    assert await count_rows(rig.app.database, m.InboxRow) == 0
    assert await count_rows(rig.app.database, m.MediaRow) == 0


async def test_a_photo_reaches_the_dialogue_and_only_its_sender_can_fetch_it(
    rig: WebRig, visitor: aiohttp.ClientSession
) -> None:
    status, uploaded = await rig.upload(visitor, PHOTO)
    assert status == 201
    assert await rig.upload(visitor, PHOTO) == (201, uploaded)  # the same picture is kept once
    assert await rig.post(visitor, {"id": "photo-0001", "text": "", "image": uploaded["id"]}) == (202, {"ok": True})
    assert (await replies(rig, visitor))["messages"]
    async with visitor.get(f"{rig.page}/api/images/{uploaded['id']}") as answer:
        assert (answer.status, answer.content_type, await answer.read()) == (200, "image/jpeg", kept(PHOTO))
    stranger = await rig.visitor()
    try:
        async with stranger.get(f"{rig.page}/api/images/{uploaded['id']}") as answer:
            assert answer.status == 404
        assert await rig.post(stranger, {"id": "photo-0002", "text": "", "image": uploaded["id"]}) == (
            400,
            {"error": "no_image"},
        )
    finally:
        await stranger.close()
    async with rig.app.database.read.connect() as conn:
        payloads = (await conn.scalars(select(m.InboxRow.payload))).all()
    assert [p.get("image") for p in payloads] == [uploaded["id"]]


async def test_a_reply_queued_by_another_process_reaches_a_waiting_page(
    rig: WebRig, visitor: aiohttp.ClientSession, short_waits: None
) -> None:
    await rig.post(visitor, {"id": "m-000001", "text": "你好"})
    after = (await replies(rig, visitor))["after"]
    visitor_id = (await _inbox_chat(rig))[len("web:") :]
    waiting = asyncio.create_task(rig.replies(visitor, after, wait=20))
    await asyncio.sleep(0.3)
    assert not waiting.done()
    relay = [{"text": "您好，我是客服小王"}]  # as an agent's relay in another process would queue it
    now = rig.clock.now()
    await rig.app.database.write.run(lambda conn: enqueue(conn, "web", visitor_id, relay, Pace(timedelta(0)), now))
    answer = await asyncio.wait_for(waiting, 2.5)
    assert [line["text"] for line in answer["messages"]] == ["您好，我是客服小王"]


async def _inbox_chat(rig: WebRig) -> str:
    async with rig.app.database.read.connect() as conn:
        return str(await conn.scalar(select(m.InboxRow.chat_key)))
