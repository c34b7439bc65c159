"""A full alert scan over a large store, next to a bare `SELECT count(*)` over the orders in the same run.

    python bench/scan_bench.py --orders 1000000 [--postgres postgresql://USER@HOST/DB] [--keep PATH]
                               [--history-days 365 | --demo-mix]

The figure is scan time / count time (target on PostgreSQL: at most 5x), for the first scan of the
store and for a repeat scan (what every scheduled scan of a quiet store costs). The repeat must raise
no new alert and queue no message. With --keep the SQLite file is kept (and reused when it exists).

The store is a shop's history: the orders came at a steady pace over --history-days, so most are
finished and the last days' are open (`open=` counts paid and shipped orders). --demo-mix seeds the
demo's mix instead, every story in every day of two months (a quarter of all orders open, one in
eighteen a problem): the worst case for how many alerts one scan handles.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, func, select

from oms_client.alerting import Route, Routing
from oms_client.alerts.desk import AlertStore
from oms_client.alerts.kinds import ScanLimits
from oms_client.alerts.outbox import OutboxStore
from oms_client.demo.seed import seed_store
from oms_client.domain import OrderState
from oms_client.sql import models as m
from oms_client.sql.database import Database, open_database
from oms_client.sql.migrate import upgrade
from oms_client.stores.orders import SqlOrderStore

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
ROUTING = Routing((Route("ops", "info"),))  # every alert queues a message, as the worst case


async def measure(url: str, orders: int, history_days: float | None) -> None:
    database = open_database(url)
    store = SqlOrderStore(database)
    try:
        await upgrade(database)
        if await store.count_orders() == 0:
            started = time.perf_counter()
            await seed_store(database, orders=orders, seed=1, now=NOW, history_days=history_days)
            print(f"{database.dialect}: seeded {orders} orders in {time.perf_counter() - started:.1f} s")
        await _forget_alerts(database)
        count_seconds = await _timed_count(store)
        alerts, outbox = AlertStore(database), OutboxStore(database)
        started = time.perf_counter()
        first = await alerts.scan(NOW, ScanLimits(), ROUTING)
        scan_seconds = time.perf_counter() - started
        queued = await outbox.pending()
        started = time.perf_counter()
        repeat = await alerts.scan(NOW, ScanLimits(), ROUTING)
        repeat_seconds = time.perf_counter() - started
        print(
            f"{database.dialect}: orders={await store.count_orders()} open={await _open_orders(database)} "
            f"count(*)={count_seconds * 1000:.1f} ms "
            f"scan={scan_seconds * 1000:.1f} ms ratio={scan_seconds / count_seconds:.1f}x "
            f"repeat_scan={repeat_seconds * 1000:.1f} ms repeat_ratio={repeat_seconds / count_seconds:.1f}x "
            f"alerts={len(first.opened)} new_on_repeat={len(repeat.opened)} found_again={repeat.found_again} "
            f"queued_on_repeat={await outbox.pending() - queued}"
        )
    finally:
        await database.dispose()


async def _forget_alerts(database: Database) -> None:
    """A kept store starts each run without the alerts of the last one, so the first scan is a first."""
    async with database.write.begin() as conn:
        await conn.execute(delete(m.OutboxRow))
        await conn.execute(delete(m.AlertRow))


async def _open_orders(database: Database) -> int:
    open_states = (OrderState.PAID, OrderState.SHIPPED)
    async with database.read.connect() as conn:
        query = select(func.count()).select_from(m.OrderRow).where(m.OrderRow.state.in_(open_states))
        return int(await conn.scalar(query) or 0)


async def _timed_count(store: SqlOrderStore) -> float:
    async with store.database.read.connect() as conn:
        await conn.scalar(select(func.count()).select_from(m.OrderRow))  # warm the cache as the scan will be
        started = time.perf_counter()
        await conn.scalar(select(func.count()).select_from(m.OrderRow))
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--postgres", help="an empty (or previously seeded) PostgreSQL database URL")
    parser.add_argument("--keep", type=Path, help="SQLite file to keep and reuse")
    mix = parser.add_mutually_exclusive_group()
    mix.add_argument("--history-days", type=float, default=365.0, help="days of steady trade the orders span")
    mix.add_argument("--demo-mix", action="store_true", help="the demo's mix of stories instead of a history")
    args = parser.parse_args()
    days = None if args.demo_mix else args.history_days
    if args.keep:
        asyncio.run(measure(f"sqlite:///{args.keep}", args.orders, days))
    else:
        with tempfile.TemporaryDirectory() as folder:
            asyncio.run(measure(f"sqlite:///{Path(folder) / 'bench.db'}", args.orders, days))
    if args.postgres:
        asyncio.run(measure(args.postgres, args.orders, days))


if __name__ == "__main__":
    main()
