"""Several `xiaoer serve` processes share one store: each scan interval runs once, and a dead leader is
replaced within its lease."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import asyncpg
import pytest
import pytest_asyncio
from sqlalchemy.engine import make_url

from oms_client.database import open_database
from oms_client.leases import Leases
from tests.conftest import POSTGRES_URL, _admin

SCAN_SECONDS = 1.5
CONFIG = f"""
[alerts]
scan_every_minutes = {SCAN_SECONDS / 60}
relay_every_seconds = 0.5
lease_seconds = 2
"""


@pytest_asyncio.fixture(params=["sqlite", "postgresql"])
async def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shared.db'}"
        return
    name = f"xiaoer_mp_{uuid.uuid4().hex[:10]}"
    try:
        await _admin(POSTGRES_URL, f'CREATE DATABASE "{name}"')
    except (OSError, TimeoutError, asyncpg.PostgresError) as error:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {error}")
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    await _admin(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _healthy(port: int) -> None:
    deadline = time.monotonic() + 60
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"serve on port {port} never became healthy")


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
    ports = [_free_port() for _ in range(3)]
    processes = [
        subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env | {"XIAOER_PORT": str(port)}) for port in ports
    ]
    try:
        for port in ports:
            await _healthy(port)
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
