"""How long `xiaoer seed --orders N` takes on SQLite (and on PostgreSQL with --postgres URL).

python bench/seed_bench.py --orders 100000
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from oms_client.demo.seed import seed_store
from oms_client.sql.database import open_database
from oms_client.sql.migrate import upgrade


async def measure(url: str, orders: int) -> None:
    database = open_database(url)
    try:
        started = time.perf_counter()
        await upgrade(database)
        result = await seed_store(database, orders=orders, seed=1, now=datetime(2026, 11, 22, tzinfo=UTC))
        total = time.perf_counter() - started
    finally:
        await database.dispose()
    print(
        f"{database.dialect}: seed orders={result.orders} customers={result.customers} "
        f"shipments={result.shipments} tracking_events={result.tracking_events} "
        f"seconds={total:.1f} (target < 60 on sqlite)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--postgres", help="also seed this empty PostgreSQL database, e.g. postgresql://...")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(measure(f"sqlite:///{Path(folder) / 'bench.db'}", args.orders))
    if args.postgres:
        asyncio.run(measure(args.postgres, args.orders))


if __name__ == "__main__":
    main()
