"""Abuse that used to cost nothing, played over HTTP against the real app: upload floods, hand-off floods,
guessing from many cookies behind one address, and a lock-out aimed at an order's owner."""

from __future__ import annotations

import io
import random
from collections.abc import AsyncIterator

import aiohttp
import pytest_asyncio
from PIL import Image
from sqlalchemy import func, select

from bot.settings import Settings
from handlers.texts import say
from oms_client.demo.seed import SeedResult
from oms_client.domain import OrderState
from oms_client.sql import models as m
from oms_client.sql.database import Database
from oms_client.stores.retention import Retention, purge
from tests.conftest import FIXTURES
from tests.helpers import count_rows, wrong_tail
from tests.web_rig import WebCustomer, WebRig, start_web_rig

PHOTO = (FIXTURES / "web" / "damaged_parcel.png").read_bytes()
PROXY = "X-Forwarded-For"


@pytest_asyncio.fixture
async def rig(database: Database, seeded: SeedResult) -> AsyncIterator[WebRig]:
    async with start_web_rig(database, Settings(trusted_proxy_header=PROXY)) as built:
        yield built


async def _from(rig: WebRig, address: str) -> aiohttp.ClientSession:
    """A new visitor (a fresh cookie) whose requests the proxy says come from `address`."""
    return await rig.visitor({PROXY: f"203.0.113.250, {address}"})  # the proxy's own hop is the last one


def _picture(seed: int) -> bytes:
    """A small picture of noise: every seed its own, even after JPEG drew it again."""
    out = io.BytesIO()
    Image.frombytes("RGB", (64, 48), random.Random(seed).randbytes(64 * 48 * 3)).save(out, "PNG")
    return out.getvalue()


async def test_one_visitor_uploads_twenty_pictures_an_hour_and_one_address_sixty(rig: WebRig) -> None:
    first = await _from(rig, "198.51.100.7")
    statuses = [(await rig.upload(first, _picture(n)))[0] for n in range(21)]
    assert statuses == [201] * 20 + [429]
    assert (await rig.upload(first, _picture(99)))[1] == {"error": "too_many"}
    others = [await _from(rig, "198.51.100.7") for _ in range(3)]  # new cookies, same address
    more = [(await rig.upload(http, _picture(100 + i * 20 + n)))[0] for i, http in enumerate(others) for n in range(20)]
    assert more.count(201) == 40 and more[-20:] == [429] * 20
    elsewhere = await _from(rig, "192.0.2.44")
    assert (await rig.upload(elsewhere, _picture(7)))[0] == 201
    assert await count_rows(rig.app.database, m.MediaRow) == 61
    rig.clock.advance(hours=1, minutes=1)
    assert (await rig.upload(first, _picture(500)))[0] == 201  # a new hour
    for http in [first, *others, elsewhere]:
        await http.close()


async def test_padding_behind_a_picture_header_is_refused_and_a_real_picture_is_redrawn(rig: WebRig) -> None:
    visitor = await _from(rig, "198.51.100.8")
    padded = b"\x89PNG\r\n\x1a\n" + b"\0" * (4 * 1024 * 1024)
    assert await rig.upload(visitor, padded) == (415, {"error": "not_image"})
    assert (await rig.upload(visitor, PHOTO))[0] == 201
    async with rig.app.database.read.connect() as conn:
        mime, data = (await conn.execute(select(m.MediaRow.mime, m.MediaRow.data))).one()
    with Image.open(io.BytesIO(data)) as kept:
        assert kept.format == "JPEG" and mime == "image/jpeg" and not kept.getexif()
    await visitor.close()


async def test_an_upload_no_message_uses_is_gone_within_the_hour_and_a_used_one_stays(rig: WebRig) -> None:
    visitor = await _from(rig, "198.51.100.9")
    assert (await rig.upload(visitor, _picture(1)))[0] == 201  # picked, never sent
    _, used = await rig.upload(visitor, _picture(2))
    assert await rig.post(visitor, {"id": "m-photo-1", "text": "盒子压坏了", "image": used["id"]}) == (
        202,
        {"ok": True},
    )
    rig.clock.advance(minutes=30)
    assert (await purge(rig.app.database, Retention(), rig.clock.now()))["unused_uploads"] == 0
    rig.clock.advance(minutes=31)
    assert (await purge(rig.app.database, Retention(), rig.clock.now()))["unused_uploads"] == 1
    async with rig.app.database.read.connect() as conn:
        assert list((await conn.scalars(select(m.MediaRow.id))).all()) == [used["id"]]
    await visitor.close()


async def _handoffs(database: Database) -> int:
    async with database.read.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(m.HandoffRow)) or 0)


async def test_fresh_visitors_saying_only_talk_to_a_person_queue_nobody(rig: WebRig) -> None:
    customers = [WebCustomer(rig, await _from(rig, f"198.51.100.{20 + n}")) for n in range(20)]
    for customer in customers:
        assert await customer.say("转人工") == say("ho_tell_first", "zh")
    assert await _handoffs(rig.app.database) == 0
    assert "您是下一位" in await customers[0].say("我买的裤子尺码不对，想换一条")  # saying what about queues them
    assert await _handoffs(rig.app.database) == 1
    for customer in customers:
        await customer.http.close()


async def test_twenty_visitors_from_one_address_queue_five_hand_offs_at_most(rig: WebRig) -> None:
    customers = [WebCustomer(rig, await _from(rig, "198.51.100.66")) for _ in range(20)]
    answers = []
    for customer in customers:
        await customer.say("你好")
        answers.append(await customer.say("转人工"))
    assert await _handoffs(rig.app.database) == 5
    assert answers[5:] == [say("ho_too_often", "zh")] * 15
    other = WebCustomer(rig, await _from(rig, "192.0.2.80"))
    await other.say("你好")
    assert "您前面还有 5 位" in await other.say("转人工")
    for customer in [*customers, other]:
        await customer.http.close()


async def test_one_address_guessing_through_many_cookies_is_stopped_and_others_are_not(
    rig: WebRig, seeded: SeedResult
) -> None:
    samples = [s for s in seeded.samples if s.state is OrderState.SHIPPED]
    target = samples[0]
    answers = []
    for n in range(20):  # one wrong guess per cookie, each at a different (made-up) order: no order cap is hit
        guesser = WebCustomer(rig, await _from(rig, "198.51.100.99"))
        answers.append(await guesser.say(f"订单 40000000000000{n:05d} 尾号 1234"))
        await guesser.http.close()
    closed = say("ask_whole_phone", "zh", order_no=f"40000000000000{19:05d}")
    assert answers == [say("no_match", "zh")] * 19 + [closed]  # the twentieth failure closes the address's tails
    late = WebCustomer(rig, await _from(rig, "198.51.100.99"))
    refused = await late.say(f"订单 {target.order_id} 尾号 {target.phone_tail}")
    assert refused == say("ask_whole_phone", "zh", order_no=target.order_id) and target.tracking_no not in refused
    [order] = await rig.app.store.find_orders(target.order_id)
    assert target.tracking_no in await late.say(order.receiver.phone)  # someone behind the same NAT still proves
    owner = WebCustomer(rig, await _from(rig, "192.0.2.10"))
    assert target.tracking_no in await owner.say(f"订单 {target.order_id} 尾号 {target.phone_tail} 物流")
    for customer in (late, owner):
        await customer.http.close()


async def test_ten_wrong_tails_from_two_cookies_do_not_lock_the_owner_out(
    rig: WebRig, seeded: SeedResult, database: Database
) -> None:
    target = next(s for s in seeded.samples if s.state is OrderState.SHIPPED)
    for cookie in range(2):
        attacker = WebCustomer(rig, await _from(rig, f"198.51.100.{120 + cookie}"))
        for _ in range(5):
            await attacker.say(f"订单 {target.order_id} 尾号 {wrong_tail(target.phone_tail)}")
        await attacker.http.close()
    owner = WebCustomer(rig, await _from(rig, "192.0.2.11"))
    assert await owner.say(f"订单 {target.order_id} 尾号 {target.phone_tail}") == say(
        "ask_whole_phone", "zh", order_no=target.order_id
    )
    [order] = await rig.app.store.find_orders(target.order_id)
    assert target.tracking_no in await owner.say(order.receiver.phone)
    await owner.http.close()


async def test_the_chat_cookie_is_secure_when_the_trusted_proxy_says_the_visit_came_over_tls(rig: WebRig) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(rig.page, headers={"X-Forwarded-Proto": "https"}) as answer:
            assert answer.cookies["xiaoer_chat"]["secure"]
        async with http.get(rig.page) as answer:
            assert not answer.cookies["xiaoer_chat"]["secure"]


async def test_without_a_trusted_proxy_a_forwarded_header_is_nobodys_word(database: Database) -> None:
    async with (
        start_web_rig(database) as plain,
        aiohttp.ClientSession() as http,
        http.get(plain.page, headers={"X-Forwarded-Proto": "https"}) as answer,
    ):
        assert not answer.cookies["xiaoer_chat"]["secure"]
