"""PIPL: retention per kind of chat data, erasure on request (no trace left in the SQLite file), access."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import select, update

from bot.cli import main
from bot.privacy import erase_person, export_person
from bot.shop_config import load_shop_config
from handlers.texts import say
from oms_client.demo.seed import SeedResult, seed_store
from oms_client.domain import OrderState
from oms_client.sql import models as m
from oms_client.sql.database import Database, open_database
from oms_client.sql.migrate import upgrade
from oms_client.store import ChatUser
from oms_client.stores.retention import Retention, purge
from tests.conftest import NOW
from tests.helpers import count_rows
from tests.web_rig import WebCustomer, WebRig, start_web_rig

# What the person writes: words nobody else in the store could have written.
SECRET_WORDS = "我家猫叫斑马鹦鹉七七三一号，暗号 Quokka-7731"


def _traces(data: bytes) -> list[str]:
    """The forms the words could take in the file: as written, JSON-escaped, and a distinctive part of each."""
    forms = {SECRET_WORDS, json.dumps(SECRET_WORDS)[1:-1], "斑马鹦鹉", json.dumps("斑马鹦鹉")[1:-1], "Quokka-7731"}
    return [form for form in forms if form.encode() in data]


@pytest_asyncio.fixture
async def rig(database: Database, seeded: SeedResult) -> AsyncIterator[WebRig]:
    async with start_web_rig(database) as built:
        yield built


async def _person_chats(rig: WebRig, seeded: SeedResult) -> tuple[WebCustomer, str]:
    """A visitor proves an order, tells the bot something private and asks for a person."""
    sample = next(s for s in seeded.samples if s.state is OrderState.DELIVERED)
    customer = WebCustomer(rig, await rig.visitor())
    assert "验证成功" in await customer.say(f"订单 {sample.order_id} 尾号 {sample.phone_tail}")
    await customer.say(SECRET_WORDS)
    await customer.say("转人工")
    [order] = await rig.app.store.find_orders(sample.order_id)
    return customer, order.receiver.phone


async def test_erasing_by_phone_leaves_nothing_the_person_wrote_in_the_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    database = open_database(f"sqlite:///{path}")
    await upgrade(database)
    seeded = await seed_store(database, orders=200, seed=11, now=NOW)
    async with start_web_rig(database) as rig:
        customer, phone = await _person_chats(rig, seeded)
        await customer.http.close()
        async with database.read.connect() as conn:
            payloads = (await conn.scalars(select(m.InboxRow.payload))).all()
        assert any(SECRET_WORDS in json.dumps(p, ensure_ascii=False) for p in payloads)  # it was stored
        counts = await erase_person(rig.app, phone=phone)
        assert counts["deliveries"] >= 3 and counts["conversation"] == 1 and counts["proofs"] == 1
        assert await count_rows(database, m.OrderRow) == 200  # the shop's books stay
    await database.dispose()
    assert _traces(path.read_bytes() + _wal(path)) == []


def _wal(path: Path) -> bytes:
    wal = path.with_name(path.name + "-wal")
    return wal.read_bytes() if wal.exists() else b""


async def test_erasing_one_chat_removes_its_data_and_audits_it(rig: WebRig, seeded: SeedResult) -> None:
    customer, _ = await _person_chats(rig, seeded)
    async with rig.app.database.read.connect() as conn:
        [chat_key] = (await conn.scalars(select(m.InboxRow.chat_key).distinct())).all()
    user = ChatUser(*chat_key.split(":", 1))
    counts = await erase_person(rig.app, user=user)
    assert counts["replies"] >= 3 and counts["handoff_summaries"] == 1
    for table in (m.InboxRow, m.OutgoingRow, m.ConversationRow, m.ChatBindingRow):
        assert await count_rows(rig.app.database, table) == 0
    async with rig.app.database.read.connect() as conn:
        summary = await conn.scalar(select(m.HandoffRow.summary))
        erasures = (await conn.execute(select(m.AuditLogRow.action, m.AuditLogRow.detail)
                                       .where(m.AuditLogRow.actor == "privacy"))).all()  # fmt: skip
    assert summary == {} and [action for action, _ in erasures] == ["privacy_erase"]
    assert SECRET_WORDS not in json.dumps([list(row) for row in erasures], ensure_ascii=False)
    assert await customer.say("我的订单") == say("ask_order_no", "zh")  # the chat starts over, unproved
    await customer.http.close()


async def test_an_old_orders_receiver_is_masked_on_erasure_and_a_recent_one_kept(
    rig: WebRig, seeded: SeedResult
) -> None:
    _, phone = await _person_chats(rig, seeded)
    database = rig.app.database
    async with database.write.begin() as conn:
        old = (await conn.scalars(select(m.OrderRow.id).where(m.OrderRow.receiver_phone == phone))).first()
        await conn.execute(update(m.OrderRow).where(m.OrderRow.id == old).values(created_at=NOW - timedelta(days=400)))
    await erase_person(rig.app, phone=phone)
    async with database.read.connect() as conn:
        rows = (await conn.execute(select(m.OrderRow.id, m.OrderRow.receiver_phone, m.OrderRow.receiver_detail)
                                   .where(m.OrderRow.customer_id.in_(select(m.OrderRow.customer_id)
                                          .where(m.OrderRow.id == old))))).all()  # fmt: skip
    masked = {row.id: row for row in rows}
    assert masked[old].receiver_phone == f"{phone[:3]}****{phone[-4:]}" and masked[old].receiver_detail == ""
    recent = [row for row in rows if row.id != old and row.receiver_phone.endswith(phone[-4:])]
    assert all(row.receiver_phone == phone and row.receiver_detail for row in recent)


async def test_export_shows_the_orders_to_the_phone_and_what_each_chat_said(rig: WebRig, seeded: SeedResult) -> None:
    customer, phone = await _person_chats(rig, seeded)
    held = await export_person(rig.app, phone=phone)
    assert held["orders"] and all(order["receiver_phone"] == phone for order in held["orders"])
    [chat] = held["chats"]
    assert chat["channel"] == "web" and chat["proofs"][0]["receiver_phone"] == phone
    assert any(SECRET_WORDS in json.dumps(d["payload"], ensure_ascii=False) for d in chat["deliveries"])
    assert chat["replies"] and chat["conversation"]
    await customer.http.close()


def test_a_malformed_person_is_refused_politely_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XIAOER_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    for person in (["--phone", "1234"], ["--user", "fax:42"], ["--user", "telegram:"]):
        assert main(["privacy", "erase", *person]) == 2
        assert "请用 --phone" in capsys.readouterr().err
    assert main(["privacy", "export", "--phone", "１３８００１３８０００"]) == 0  # full-width digits read
    assert json.loads(capsys.readouterr().out) == {"orders": [], "chats": []}


async def test_each_kind_of_chat_data_goes_after_its_own_retention(rig: WebRig, seeded: SeedResult) -> None:
    customer, _ = await _person_chats(rig, seeded)
    await customer.http.close()
    database, retention = rig.app.database, Retention()
    purged = await purge(database, retention, NOW + timedelta(days=29))
    assert purged["inbox"] == purged["outgoing"] == 0
    purged = await purge(database, retention, NOW + timedelta(days=31), batch=2)  # in several transactions
    assert purged["inbox"] >= 3 and purged["outgoing"] >= 3
    assert await count_rows(database, m.InboxRow) == await count_rows(database, m.OutgoingRow) == 0
    assert await count_rows(database, m.ConversationRow) == 1 and await count_rows(database, m.ChatBindingRow) == 1
    purged = await purge(database, retention, NOW + timedelta(days=181))
    assert purged["conversations"] == 1 and purged["bindings"] == 1
    assert await count_rows(database, m.OrderRow) == seeded.orders


async def test_retention_is_read_from_the_shop_config(tmp_path: Path) -> None:
    config = tmp_path / "shop.toml"
    config.write_text("[privacy]\nraw_payload_days = 7\ntranscript_days = 90\n", encoding="utf-8")
    shop = load_shop_config(config)
    assert shop.privacy.raw_payload_days == 7 and shop.privacy.transcript_days == 90
    assert shop.privacy.reply_days == Retention().reply_days
