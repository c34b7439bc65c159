"""The SQL order store, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, func, insert, select
from sqlalchemy.exc import IntegrityError

from oms_client.demo.seed import SeedResult, StoreNotEmpty, seed_store
from oms_client.domain import OrderState, Platform
from oms_client.proofs import Guess, GuessLimits, Outcome, Proof
from oms_client.sql import models as m
from oms_client.sql.database import Database, open_database
from oms_client.sql.migrate import upgrade
from oms_client.store import ChatUser, StaleConversation
from oms_client.stores.orders import SqlOrderStore
from tests.conftest import NOW

USER = ChatUser("console", "u1")


async def test_seeded_order_is_found_with_lines_shipments_and_aware_times(
    store: SqlOrderStore, seeded: SeedResult
) -> None:
    sample = next(s for s in seeded.samples if s.state is OrderState.SHIPPED)
    [order] = await store.find_orders(sample.order_id)
    assert order.platform is sample.platform
    assert order.receiver.phone.endswith(sample.phone_tail)
    assert order.lines and order.item_count >= 1
    assert order.shipments[0].tracking_no == sample.tracking_no
    events = order.shipments[0].events
    assert events and all(e.at.tzinfo is not None for e in events)
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert order.created_at.tzinfo is not None and order.created_at <= NOW


async def test_unknown_order_number_finds_nothing(store: SqlOrderStore, seeded: SeedResult) -> None:
    assert await store.find_orders("1234567890123456789") == []
    assert await store.find_orders("' OR 1=1 --") == []


async def test_recent_orders_are_newest_first_and_only_those_the_proof_opens(
    store: SqlOrderStore, seeded: SeedResult
) -> None:
    [order] = await store.find_orders(seeded.samples[0].order_id)
    recent = await store.recent_orders([Proof.of(order)], 50)
    assert recent and all(o.customer_id == order.customer_id for o in recent)
    assert all(o.receiver.phone == order.receiver.phone for o in recent)
    assert [o.created_at for o in recent] == sorted((o.created_at for o in recent), reverse=True)
    assert await store.recent_orders([], 5) == []


async def test_a_right_guess_binds_once_however_often_it_is_made(store: SqlOrderStore, seeded: SeedResult) -> None:
    [order] = await store.find_orders(seeded.samples[0].order_id)
    guess = Guess(order.order_no, order.receiver.phone[-4:])
    first = await store.judge_guess(USER, guess, None, GuessLimits(), NOW)
    again = await store.judge_guess(USER, guess, None, GuessLimits(), NOW)
    assert first.outcome is again.outcome is Outcome.VERIFIED and first.platform is order.platform
    assert await store.proofs(USER) == {Proof.of(order)}
    assert await store.proofs(ChatUser("telegram", "u1")) == frozenset()


async def test_failed_guesses_are_counted_per_user_and_per_order_within_the_window(store: SqlOrderStore) -> None:
    limits = GuessLimits(per_user_per_hour=2, per_order_per_day=3)
    other = ChatUser("wechat", "u2")
    await store.judge_guess(USER, Guess("111", "0000"), None, limits, NOW - timedelta(hours=2))
    await store.judge_guess(USER, Guess("111", "0000"), None, limits, NOW)
    assert await store.guess_lock(USER, "222", None, limits, NOW) is None  # one failure within the hour
    await store.judge_guess(other, Guess("111", "0000"), None, limits, NOW)
    assert await store.guess_lock(ChatUser("web", "u3"), "111", None, limits, NOW) is Outcome.TAILS_CLOSED
    assert await store.guess_lock(ChatUser("web", "u3"), "222", None, limits, NOW) is None
    assert await store.guess_lock(USER, "111", None, limits, NOW + timedelta(days=1)) is None


async def test_conversation_save_refuses_a_stale_version(store: SqlOrderStore) -> None:
    assert await store.load_conversation(USER) is None
    version = await store.save_conversation(USER, {"awaiting": "phone_tail"}, 0, NOW)
    with pytest.raises(StaleConversation):
        await store.save_conversation(USER, {"awaiting": None}, 0, NOW)
    assert await store.save_conversation(USER, {"awaiting": None}, version, NOW) == version + 1
    with pytest.raises(StaleConversation):
        await store.save_conversation(USER, {"lost": True}, version, NOW)
    record = await store.load_conversation(USER)
    assert record is not None and record.state == {"awaiting": None} and record.version == version + 1


async def test_naive_datetimes_are_refused(store: SqlOrderStore) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        await store.audit("tester", "probe", ("order", "x"), {}, datetime(2026, 11, 22, 10, 0))


async def test_times_come_back_in_utc_equal_to_what_was_written(store: SqlOrderStore) -> None:
    await store.audit("tester", "probe", ("order", "x"), {"k": 1}, NOW)
    async with store.database.read.connect() as conn:
        at = await conn.scalar(select(m.AuditLogRow.at))
    assert at == NOW and at.tzinfo is not None and at.utcoffset() == timedelta(0)


async def test_order_number_is_unique_per_platform_only(database: Database, seeded: SeedResult) -> None:
    sample = seeded.samples[0]
    async with database.read.connect() as conn:
        row = (await conn.execute(select(m.OrderRow).where(m.OrderRow.order_no == sample.order_id))).mappings().one()
    copy = dict(row) | {"id": 10_000_000}
    with pytest.raises(IntegrityError):
        async with database.write.begin() as conn:
            await conn.execute(insert(m.OrderRow), [copy])
    other_platform = Platform.POS if sample.platform is not Platform.POS else Platform.JD
    async with database.write.begin() as conn:
        await conn.execute(insert(m.OrderRow), [copy | {"platform": str(other_platform)}])
    assert len(await SqlOrderStore(database).find_orders(sample.order_id)) == 2


async def test_seeding_twice_is_refused_and_changes_nothing(database: Database, seeded: SeedResult) -> None:
    with pytest.raises(StoreNotEmpty):
        await seed_store(database, orders=10, seed=1, now=NOW)
    assert await SqlOrderStore(database).count_orders() == seeded.orders


async def test_concurrent_writers_lose_no_write(store: SqlOrderStore) -> None:
    """SQLite without BEGIN IMMEDIATE fails some of these with 'database is locked'."""
    users = [ChatUser("console", f"u{i}") for i in range(40)]
    await asyncio.gather(*(store.audit(u.key, "probe", ("order", "42"), {}, NOW) for u in users))
    await asyncio.gather(*(store.save_conversation(u, {"n": 1}, 0, NOW) for u in users))
    async with store.database.read.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(m.AuditLogRow)) == 40
        assert await conn.scalar(select(func.count()).select_from(m.ConversationRow)) == 40


async def test_health_reports_the_backend(store: SqlOrderStore, database: Database) -> None:
    health = await store.health()
    assert health["ok"] is True and health["backend"] == database.dialect


async def test_seed_is_deterministic_for_the_same_seed_and_time(tmp_path) -> None:
    results = []
    for name in ("a", "b"):
        db = open_database(f"sqlite:///{tmp_path / name}.db")
        await upgrade(db)
        results.append(await seed_store(db, orders=300, seed=99, now=datetime(2026, 1, 1, tzinfo=UTC)))
        await db.dispose()
    assert results[0].samples == results[1].samples
    assert (results[0].orders, results[0].tracking_events) == (results[1].orders, results[1].tracking_events)


async def test_a_seeded_history_is_mostly_finished_orders_spread_over_its_days(database: Database) -> None:
    """What the scan bench seeds: a year of steady trade, in which only the last days' orders are open."""
    await seed_store(database, orders=3_000, seed=4, now=NOW, history_days=365)
    o = m.OrderRow
    async with database.read.connect() as conn:
        open_orders = await conn.scalar(select(func.count()).where(o.state.in_((OrderState.PAID, OrderState.SHIPPED))))
        oldest = await conn.scalar(select(func.min(o.created_at)))
    # About 4.5 days of 8.2 orders a day are paid or on their way.
    assert 15 <= (open_orders or 0) <= 60
    assert oldest is not None and NOW - oldest.replace(tzinfo=UTC) > timedelta(days=300)


async def test_a_history_too_short_to_hold_its_open_orders_is_refused(database: Database) -> None:
    with pytest.raises(ValueError, match="30 days"):
        await seed_store(database, orders=100, seed=4, now=NOW, history_days=7)
    assert await SqlOrderStore(database).count_orders() == 0


async def test_a_writer_cancelled_while_waiting_its_turn_holds_up_no_one(tmp_path: Path) -> None:
    """SQLite's writes go one at a time through a writer thread (PostgreSQL takes them side by side); a
    writer that gives up in that queue must neither write nor keep the thread waiting for it."""
    database = open_database(f"sqlite:///{tmp_path / 'store.db'}")
    await upgrade(database)
    turn_taken = threading.Event()

    def long_write(conn: Connection) -> None:
        conn.execute(insert(m.MetaRow).values(key="first", value={}))
        turn_taken.set()
        time.sleep(0.3)

    async def queued_writer() -> None:
        async with database.write.begin() as conn:
            await conn.execute(insert(m.MetaRow).values(key="given_up", value={}))

    first = asyncio.create_task(database.write.run(long_write))
    await asyncio.to_thread(turn_taken.wait, 5)
    queued = asyncio.create_task(queued_writer())
    await asyncio.sleep(0.05)
    queued.cancel()
    await first
    last = insert(m.MetaRow).values(key="last", value={})
    await asyncio.wait_for(database.write.execute(last), 2)
    async with database.read.connect() as conn:
        keys = set((await conn.scalars(select(m.MetaRow.key))).all())
    await database.dispose()
    assert {"first", "last"} <= keys and "given_up" not in keys
