"""How long the shop's report takes on a large store: `--orders` orders of a year's steady trade, the figures of
the last 7 days and of the last 30 (with two of the shop's own tables), and the charts and page drawn.

python -m bench.report_bench [--orders 200000] [--postgres URL]

With --postgres the server named is used for a database of the bench's own (made, then dropped).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from time import perf_counter
from zoneinfo import ZoneInfo

from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.reporting import window
from notifications.report.page import write_report
from oms_client.demo.seed import seed_store
from oms_client.reports.custom import CustomTable
from oms_client.reports.sql import SqlReports
from oms_client.sql.database import async_url, open_database
from oms_client.sql.migrate import upgrade

ZONE = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 22)
BENCH_DATABASE = "xiaoer_report_bench"
TABLES = (CustomTable(name="省份", group_by="province", measures=("orders", "amount", "parcels")),
          CustomTable(name="SKU", group_by="sku", measures=("units", "cases")))  # fmt: skip


async def measure(url: str, orders: int, out: Path) -> None:
    database = open_database(url)
    try:
        await upgrade(database)
        await seed_store(database, orders=orders, seed=1, now=datetime.combine(TODAY, time(10), ZONE), history_days=365)
        reports = SqlReports(database, ZONE)
        for days in (7, 30):
            period = window(TODAY - timedelta(days=days - 1), TODAY, TODAY, ZONE)
            started = perf_counter()
            figures = await reports.figures(period, tables=TABLES)
            seconds = perf_counter() - started
            print(f"{database.dialect}: {orders} orders, figures of {days} days in {seconds * 1000:.0f} ms")
        started = perf_counter()
        write_report(figures, out)
        print(f"{database.dialect}: charts and page in {perf_counter() - started:.1f} s")
    finally:
        await database.dispose()


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(async_url(url), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def on_postgres(url: str, orders: int, out: Path) -> None:
    own = make_url(async_url(url)).set(database=BENCH_DATABASE)
    await _admin(url, f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
    await _admin(url, f"CREATE DATABASE {BENCH_DATABASE}")
    try:
        await measure(own.render_as_string(hide_password=False), orders, out)
    finally:
        await _admin(url, f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--postgres", help="also measure on this empty PostgreSQL database, e.g. postgresql://...")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(measure(f"sqlite:///{Path(folder) / 'bench.db'}", args.orders, Path(folder) / "out"))
        if args.postgres:
            asyncio.run(on_postgres(args.postgres, args.orders, Path(folder) / "out-pg"))


if __name__ == "__main__":
    main()
