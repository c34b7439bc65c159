"""How long the shop's report takes on a large store: `--orders` orders of a year's steady trade, the figures of
the last 7 days and of the last 30 (with two of the shop's own tables), and the charts and page drawn.

python bench/report_bench.py [--orders 200000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from time import perf_counter
from zoneinfo import ZoneInfo

from bot.reporting import window
from notifications.report.page import write_report
from oms_client.demo.seed import seed_store
from oms_client.reports.custom import CustomTable
from oms_client.reports.sql import SqlReports
from oms_client.sql.database import open_database
from oms_client.sql.migrate import upgrade

ZONE = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 22)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--postgres", help="also measure on this empty PostgreSQL database, e.g. postgresql://...")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(measure(f"sqlite:///{Path(folder) / 'bench.db'}", args.orders, Path(folder) / "out"))
        if args.postgres:
            asyncio.run(measure(args.postgres, args.orders, Path(folder) / "out-pg"))


if __name__ == "__main__":
    main()
