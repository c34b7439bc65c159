"""How fast the automatic review (自动审单) looks at newly arrived orders: a store of `--orders` orders all waiting
for review (as after importing a platform's whole export), every rule on, one review run.

python bench/review_bench.py [--orders 100000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from oms_client.alerts.kinds import ScanLimits
from oms_client.demo.seed import seed_store
from oms_client.review import ReviewRules
from oms_client.sql import models as m
from oms_client.sql.database import open_database
from oms_client.sql.migrate import upgrade
from oms_client.stores.review import SqlReview

NOW = datetime(2026, 11, 22, tzinfo=UTC)
RULES = ReviewRules(note_keywords=("改地址",), address_keywords=("驿站",), amount_over=Decimal("2000"),
                    blocked_phones=("13800000000",), same_address_per_hour=3,
                    remote_provinces=("新疆维吾尔自治区",))  # fmt: skip


async def measure(url: str, orders: int) -> None:
    database = open_database(url)
    try:
        await upgrade(database)
        await seed_store(database, orders=orders, seed=1, now=NOW, history_days=90)
        async with database.write.begin() as conn:  # every order new and paid, as after a big import
            await conn.execute(sa.update(m.OrderRow).values(reviewed_at=None, state="paid"))
        started = time.perf_counter()
        held = await SqlReview(database, ScanLimits().ship_within).review_new(RULES, NOW)
        seconds = time.perf_counter() - started
    finally:
        await database.dispose()
    print(f"{database.dialect}: reviewed {orders} new paid orders in {seconds:.1f} s "
          f"({orders / seconds:,.0f}/s), held {held}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--postgres", help="also measure on this empty PostgreSQL database, e.g. postgresql://...")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(measure(f"sqlite:///{Path(folder) / 'bench.db'}", args.orders))
    if args.postgres:
        asyncio.run(measure(args.postgres, args.orders))


if __name__ == "__main__":
    main()
