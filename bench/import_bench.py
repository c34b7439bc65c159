"""Import speed: a Taobao order list of N rows (GBK, as 千牛 writes it) into an empty store, then the same file
again (every order unchanged), on SQLite and optionally PostgreSQL. Target: 100,000 rows well under a minute
on SQLite.

    python bench/import_bench.py [--rows 100000] [--postgres postgresql://USER@HOST/DB]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import random
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import make_url

from oms_client.imports.importer import import_file
from oms_client.sql.database import open_database
from oms_client.sql.migrate import upgrade
from oms_client.stores.imports import SqlImports
from tests.conftest import _admin

HEADER = ["订单编号", "买家会员名", "买家实际支付金额", "订单状态", "收货人姓名", "收货地址 ", "联系手机",
          "订单创建时间", "订单付款时间 ", "宝贝标题", "宝贝总数量", "物流单号 ", "物流公司"]  # fmt: skip
STATES = ["买家已付款，等待卖家发货", "卖家已发货，等待买家确认", "交易成功", "交易关闭", "等待买家付款"]
TITLES = [f"商品{n:03d} 冬季新款" for n in range(300)]
ZONE = ZoneInfo("Asia/Shanghai")


def export(rows: int, path: Path) -> None:
    rng, start = random.Random(5), datetime(2026, 9, 1, 8, 0)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for n in range(rows):
        created = start + timedelta(minutes=n)
        paid = created + timedelta(minutes=2)
        state = rng.choice(STATES)
        shipped = state in STATES[1:3]
        writer.writerow([
            f'="{3800000000000000000 + n}"', f"tb_{n}", f"{rng.randint(10, 500)}.00", state, f"顾客{n % 977}",
            f"浙江省 杭州市 西湖区 文三路 {n % 300} 号({310000 + n % 99})", f"'1{rng.randint(3, 9)}{n:09d}",
            f"{created:%Y-%m-%d %H:%M:%S}", "" if state == STATES[4] else f"{paid:%Y-%m-%d %H:%M:%S}",
            rng.choice(TITLES), str(rng.randint(1, 3)), f"SF{1400000000000 + n}" if shipped else "",
            "顺丰速运" if shipped else "",
        ])  # fmt: skip
    path.write_bytes(out.getvalue().replace('"=""', '="').replace('"""', '"').encode("gbk"))


async def measure(url: str, path: Path, rows: int) -> str:
    database = open_database(url)
    await upgrade(database)
    writer = SqlImports(database, lambda platform: timedelta(hours=48))
    now = datetime.now(UTC)
    try:
        started = time.perf_counter()
        first = await import_file(path, "taobao", writer, ZONE, now)
        middle = time.perf_counter()
        again = await import_file(path, "taobao", writer, ZONE, now)
        ended = time.perf_counter()
    finally:
        await database.dispose()
    backend = make_url(url).get_backend_name()
    return (
        f"{backend}: rows={rows} first={middle - started:.1f} s ({rows / (middle - started):.0f} rows/s, "
        f"{first.line()}) again={ended - middle:.1f} s ({rows / (ended - middle):.0f} rows/s, {again.line()})"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres", help="a PostgreSQL server URL; a fresh database is made and dropped on it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ExportOrderList.csv"
        export(args.rows, path)
        print(f"file: {path.stat().st_size / 1e6:.1f} MB, GBK")
        print(await measure(f"sqlite:///{Path(folder) / 'import.db'}", path, args.rows))
        if args.postgres:
            name = f"xiaoer_import_bench_{uuid.uuid4().hex[:8]}"
            await _admin(args.postgres, f'CREATE DATABASE "{name}"')
            try:
                url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
                print(await measure(url, path, args.rows))
            finally:
                await _admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    asyncio.run(main())
