"""Shared by the tests that run `xiaoer serve` as real processes: a store URL each, free ports, health."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import aiohttp
import asyncpg
import pytest
import pytest_asyncio
from sqlalchemy.engine import make_url

from bot.channels.telegram.inbound import SECRET_HEADER
from tests.conftest import POSTGRES_URL, _admin


@pytest_asyncio.fixture(params=["sqlite", "postgresql"])
async def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shared.db'}"
        return
    async with postgres_database() as url:
        yield url


@pytest_asyncio.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A database of its own on the PostgreSQL server, for what production runs only there."""
    async with postgres_database() as url:
        yield url


@asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    name = f"xiaoer_mp_{uuid.uuid4().hex[:10]}"
    try:
        await _admin(POSTGRES_URL, f'CREATE DATABASE "{name}"')
    except (OSError, TimeoutError, asyncpg.PostgresError) as error:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: {error}")
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        await _admin(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def healthy(port: int) -> None:
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


@contextmanager
def serving(env: dict[str, str]) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """`xiaoer serve` as its own process on a free port; terminated (or found dead) at the end."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env | {"XIAOER_PORT": str(port)})
    try:
        yield process, port
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=20)


async def post_update(port: int, update: dict[str, object], secret: str) -> int:
    """A Telegram update delivered to a process's webhook, as Telegram posts it; the HTTP status."""
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    async with aiohttp.ClientSession() as http, http.post(url, json=update, headers={SECRET_HEADER: secret}) as answer:
        return answer.status
