"""Several `xiaoer serve` processes share one store: each scan interval runs once, and a dead leader is
replaced within its lease."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from oms_client.sql.database import open_database
from oms_client.sql.leases import Leases
from tests.e2e.conftest import free_port, healthy

SCAN_SECONDS = 1.5
CONFIG = f"""
[alerts]
scan_every_minutes = {SCAN_SECONDS / 60}
relay_every_seconds = 0.5
lease_seconds = 2
"""


async def _runs(url: str) -> list[tuple[int, str]]:
    database = open_database(url)
    try:
        return await Leases(database).runs("scan")
    finally:
        await database.dispose()


async def test_three_processes_scan_once_per_interval_and_a_dead_leader_is_replaced(
    store_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "shop.toml"
    config.write_text(CONFIG, encoding="utf-8")
    env = os.environ | {"XIAOER_DATABASE_URL": store_url, "XIAOER_SHOP_CONFIG": str(config)}
    run = subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], env=env, capture_output=True, timeout=120)
    assert run.returncode == 0, run.stderr  # migrate once, so the three do not race to create the schema
    ports = [free_port() for _ in range(3)]
    processes = [
        subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env | {"XIAOER_PORT": str(port)}) for port in ports
    ]
    try:
        for port in ports:
            await healthy(port)
        await asyncio.sleep(5 * SCAN_SECONDS)
        before = await _runs(store_url)
        holders = {holder for _, holder in before}
        assert len(before) >= 3 and len(holders) == 1  # one leader did every interval, each once
        leader_pid = int(next(iter(holders)).split(":")[1])
        leader = next(p for p in processes if p.pid == leader_pid)
        leader.send_signal(signal.SIGKILL)
        leader.wait(timeout=10)
        await asyncio.sleep(2 + 4 * SCAN_SECONDS)
        after = await _runs(store_url)
        successors = {holder for slot, holder in after if slot > before[-1][0]}
        assert successors and leader_pid not in {int(h.split(":")[1]) for h in successors}
        slots = [slot for slot, _ in after]
        assert len(slots) == len(set(slots))
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            process.wait(timeout=20)
