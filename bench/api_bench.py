"""Ingestion API speed: N orders POSTed in batches of 1,000 to a real `xiaoer serve` process (a new store each),
then the same batches again (every order unchanged), then one parcel scan per order; on SQLite and optionally
PostgreSQL. Prints orders/s and scans/s as the client saw them, HTTP and JSON included.

    python bench/api_bench.py [--orders 100000] [--clients 2] [--postgres postgresql://USER@HOST/DB]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy.engine import make_url

from bench.chat_bench import serving
from tests.conftest import _admin

TOKEN = "api-bench-token-0123456789"
BATCH = 1_000
START = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def orders(count: int) -> Iterator[dict[str, Any]]:
    for n in range(count):
        created = START + timedelta(seconds=30 * n)
        shipped = n % 3 == 0
        yield {
            "platform": ("jd", "pdd", "douyin", "tmall")[n % 4],
            "order_id": f"{5000000000 + n}",
            "status": "shipped" if shipped else "paid",
            "created_at": created.isoformat(),
            "paid_at": (created + timedelta(minutes=1)).isoformat(),
            "receiver": {"name": f"顾客{n % 977}", "phone": f"139{n:08d}", "province": "浙江省", "city": "杭州市",
                         "district": "西湖区", "address": f"文三路 {n % 300} 号"},
            "lines": [{"sku": f"SKU-{n % 500:03d}", "title": f"商品{n % 500:03d}", "qty": 1 + n % 3, "price": "49.00"}],
            "shipments": [{"courier": "顺丰速运", "tracking_no": f"SF{1500000000000 + n}"}] if shipped else [],
        }  # fmt: skip


def scans(count: int) -> Iterator[dict[str, Any]]:
    time = (START + timedelta(days=1)).isoformat()
    for n in range(0, count, 3):
        yield {"courier": "SF", "tracking_no": f"SF{1500000000000 + n}", "time": time, "state": "in_transit",
               "text": "快件已到达【杭州转运中心】", "location": "杭州"}  # fmt: skip


def batches(items: Iterator[dict[str, Any]], key: str) -> list[dict[str, list[dict[str, Any]]]]:
    listed = list(items)
    return [{key: listed[i : i + BATCH]} for i in range(0, len(listed), BATCH)]


async def post_all(base: str, path: str, bodies: list[dict[str, Any]], clients: int) -> tuple[float, dict[str, int]]:
    """Seconds to POST every batch with `clients` at once, and the results summed."""
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    totals = {"created": 0, "updated": 0, "unchanged": 0, "errors": 0}
    headers = {"Authorization": f"Bearer {TOKEN}"}

    async def client(http: aiohttp.ClientSession) -> None:
        while not queue.empty():
            body = queue.get_nowait()
            async with http.post(f"{base}/api/v1{path}", json=body, headers=headers) as response:
                result = await response.json()
                assert response.status == 200, result
            for key in ("created", "updated", "unchanged"):
                totals[key] += result[key]
            totals["errors"] += len(result["errors"])

    started = time.perf_counter()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=600)) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    return time.perf_counter() - started, totals


async def measure(url: str, count: int, clients: int) -> str:
    order_batches, scan_batches = batches(orders(count), "orders"), batches(scans(count), "events")
    async with serving(url, {"XIAOER_API_TOKEN": TOKEN}, 1) as [base]:
        first, created = await post_all(base, "/orders", order_batches, clients)
        again, unchanged = await post_all(base, "/orders", order_batches, clients)
        tracked, events = await post_all(base, "/tracking", scan_batches, clients)
    scan_count = sum(len(body["events"]) for body in scan_batches)
    return (
        f"{make_url(url).get_backend_name()}: orders={count} first={first:.1f} s ({count / first:.0f} orders/s, "
        f"created={created['created']} errors={created['errors']}) again={again:.1f} s ({count / again:.0f} orders/s, "
        f"unchanged={unchanged['unchanged']}) scans={scan_count} in {tracked:.1f} s ({scan_count / tracked:.0f}/s, "
        f"created={events['created']})"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=2, help="batches in flight at once")
    parser.add_argument("--postgres", help="a PostgreSQL server URL; a fresh database is made and dropped on it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print(await measure(f"sqlite:///{Path(folder) / 'api.db'}", args.orders, args.clients))
    if args.postgres:
        name = f"xiaoer_api_bench_{uuid.uuid4().hex[:8]}"
        await _admin(args.postgres, f'CREATE DATABASE "{name}"')
        try:
            url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
            print(await measure(url, args.orders, args.clients))
        finally:
            await _admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    asyncio.run(main())
