"""Chats through the Telegram and WeChat webhooks of a real `xiaoer serve` process, next to a bare aiohttp handler.

    python -m bench.chat_bench [--chats 200] [--messages 3000] [--postgres postgresql://USER@HOST/DB] [--think S]
                               [--processes N]

`--chats` conversations run at once in a closed loop: each posts an update to /telegram/webhook and
waits until its reply reaches the (fake, loopback) Bot API, then the next message starts in a fresh chat
(so the per-chat pace of one message a second never applies and the figure is the app's capacity).
Latency is from the POST to the reply's arrival: storing, the dialogue (NLU, store), the queue and the
send. The bare handler is a separate aiohttp process answering every POST with a fixed reply, driven by
the same loop. WeChat runs the same loop against /wechat (signed plain-mode XML); its latency is the
POST's own answer, which carries the passive reply when the turn was ready in time (the line says how
many were). Targets: p99 under 300 ms; throughput at least a quarter of the bare handler's.

With `--think S` each of the chats is one person instead: they write in their own chat, read the answer,
and write again S seconds later on average, so the load is what that many people chatting at that pace
bring, and the latency is what each of them waits for an answer. The pauses are drawn at random
(exponentially, the usual model of people's think times): with one fixed pause, answers held up together
make everyone write again at the same moment, and the bench would measure waves it made itself.

With `--processes N`, N `serve` processes share the store (SQLite file or PostgreSQL database) and each
person writes to one of them, as behind a load balancer that keeps a chat on one backend.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from sqlalchemy.engine import make_url

from oms_client.demo.seed import seed_store
from oms_client.sql.database import open_database
from oms_client.sql.migrate import upgrade
from tests.conftest import _admin
from tests.e2e.conftest import free_port, healthy
from tests.fakes.telegram_api import FakeBotApi, Sent
from tests.fakes.wechat import APP_ID, APP_SECRET, TOKEN, FakeWeChat

SECRET = "bench-secret"
BARE_APP = """
import sys
from aiohttp import web
async def reply(request):
    await request.read()
    return web.json_response({"method": "sendMessage", "chat_id": 1, "text": "您好，我是店小二"})
async def health(request):
    return web.Response(text="ok")
app = web.Application()
app.router.add_post("/telegram/webhook", reply)
app.router.add_post("/wechat", reply)
app.router.add_get("/healthz", health)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""
TEXTS = ("你好", "我的订单", "怎么还不发货", "/help", "订单 {order} 到哪了", "谢谢")


class Replies:
    """Waits for the reply to each chat at the fake Bot API."""

    def __init__(self, api: FakeBotApi) -> None:
        self.waiting: dict[str, asyncio.Future[float]] = {}
        api.on_sent = self._arrived

    def expect(self, chat_id: int) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[str(chat_id)] = future
        return future

    def _arrived(self, sent: Sent) -> None:
        future = self.waiting.pop(sent.chat_id, None)
        if future is not None and not future.done():
            future.set_result(time.perf_counter())


@dataclass(frozen=True)
class Load:
    """`chats` conversations at once, `total` messages in all. With `think` seconds, each chat is one person
    who reads the answer and writes again that much later, in the same chat: the latency they see at that
    pace. Without, every message opens a new chat the moment the last answer came: the app's capacity."""

    chats: int
    total: int
    think: float = 0.0
    processes: int = 1  # serve processes on the one store, the chats spread over them


async def closed_loop(load: Load, one: Callable[[int, int], Awaitable[float]]) -> tuple[list[float], float]:
    """`one(n, chat)` sends message n in chat `chat` and returns its latency."""
    counter = itertools.count()
    latencies: list[float] = []

    pauses = random.Random(7)

    def pause() -> float:
        return pauses.expovariate(1 / load.think) if load.think else 0.0

    last_answer = 0.0

    async def worker(person: int) -> None:
        nonlocal last_answer
        await asyncio.sleep(pause())  # people do not all write at the same moment
        while (n := next(counter)) < load.total:
            latencies.append(await one(n, person if load.think else n))
            last_answer = time.perf_counter()
            await asyncio.sleep(pause())

    started = time.perf_counter()
    await asyncio.gather(*(worker(person) for person in range(load.chats)))
    return latencies, last_answer - started  # not the pauses after the last message


def summary(name: str, latencies: list[float], seconds: float) -> tuple[str, float]:
    cuts = statistics.quantiles(latencies, n=100)
    throughput = len(latencies) / seconds
    p50, p99 = cuts[49] * 1000, cuts[98] * 1000
    line = f"{name}: n={len(latencies)} throughput={throughput:.0f}/s p50={p50:.1f} ms p99={p99:.1f} ms"
    return line, throughput


async def bare(load: Load) -> tuple[str, float]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", BARE_APP, str(port)])
    try:
        await healthy(port)
        url = f"http://127.0.0.1:{port}/telegram/webhook"
        connector = aiohttp.TCPConnector(limit=load.chats)
        async with aiohttp.ClientSession(connector=connector) as http:

            async def one(n: int, chat: int) -> float:
                started = time.perf_counter()
                async with http.post(url, json={"update_id": n}) as answer:
                    await answer.read()
                return time.perf_counter() - started

            return summary("bare aiohttp handler", *await closed_loop(load, one))
    finally:
        process.terminate()
        process.wait(timeout=10)


async def seeded_orders(url: str) -> list[str]:
    database = open_database(url)
    await upgrade(database)
    result = await seed_store(database, orders=2_000, seed=3, now=datetime.now(UTC))
    await database.dispose()
    return [sample.order_id for sample in result.samples]


@asynccontextmanager
async def serving(url: str, channel_env: dict[str, str], processes: int) -> AsyncIterator[list[str]]:
    """`processes` serve processes on one store, each on its own port; their base URLs once all are healthy."""
    ports = [free_port() for _ in range(processes)]
    env = os.environ | {"XIAOER_DATABASE_URL": url, "XIAOER_LOG_LEVEL": "WARNING"} | channel_env
    started = [
        subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env | {"XIAOER_PORT": str(port)}) for port in ports
    ]
    try:
        for port in ports:
            await healthy(port)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for process in started:
            process.terminate()
        for process in started:
            process.wait(timeout=30)


def text_of(n: int, orders: list[str]) -> str:
    return TEXTS[n % len(TEXTS)].format(order=orders[n % len(orders)])


async def telegram(url: str, orders: list[str], load: Load) -> tuple[str, float]:
    api = FakeBotApi()
    await api.start()
    replies = Replies(api)
    env = {
        "XIAOER_TELEGRAM_TOKEN": "123456:BENCH",
        "XIAOER_TELEGRAM_API_BASE": api.base,
        "XIAOER_TELEGRAM_WEBHOOK_SECRET": SECRET,
        # Telegram allows a bot about 30 messages a second; the fake has no limit, so the app's own shows.
        "XIAOER_TELEGRAM_PER_SECOND": "1000",
    }
    try:
        async with serving(url, env, load.processes) as bases:
            return await _telegram_load(bases, api, replies, orders, load, url)
    finally:
        await api.stop()


async def _telegram_load(
    bases: list[str], api: FakeBotApi, replies: Replies, orders: list[str], load: Load, url: str
) -> tuple[str, float]:
    """Each person writes to one process, as a load balancer that keeps a chat on one backend would."""
    webhooks = [f"{base}/telegram/webhook" for base in bases]
    connector = aiohttp.TCPConnector(limit=load.chats)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def one(n: int, person: int) -> float:
            chat = 10_000_000 + person
            arrived = replies.expect(chat)
            started = time.perf_counter()
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            update = api.text_update(chat, text_of(n, orders))
            async with http.post(webhooks[person % len(webhooks)], json=update, headers=headers) as answer:
                assert answer.status == 200, answer.status
            return await asyncio.wait_for(arrived, 30) - started

        return summary(f"xiaoer telegram webhook ({_where(url, load)})", *await closed_loop(load, one))


async def wechat(url: str, orders: list[str], load: Load) -> tuple[str, float]:
    fake = FakeWeChat()
    await fake.start()
    env = {"XIAOER_WECHAT_TOKEN": TOKEN, "XIAOER_WECHAT_APPID": APP_ID, "XIAOER_WECHAT_SECRET": APP_SECRET}
    try:
        async with serving(url, env | {"XIAOER_WECHAT_API_BASE": fake.base}, load.processes) as bases:
            return await _wechat_load(bases, fake, orders, load, url)
    finally:
        await fake.stop()


async def _wechat_load(
    bases: list[str], fake: FakeWeChat, orders: list[str], load: Load, url: str
) -> tuple[str, float]:
    callbacks = [f"{base}/wechat" for base in bases]
    passive = 0
    connector = aiohttp.TCPConnector(limit=load.chats)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def one(n: int, person: int) -> float:
            nonlocal passive
            now = int(time.time())
            xml = fake.message("text", f"oBench{person:07d}", now, content=text_of(n, orders))
            started = time.perf_counter()
            callback, query = callbacks[person % len(callbacks)], fake.signed_query(now, str(n))
            async with http.post(callback, data=xml.encode(), params=query) as answer:
                body = await answer.text()
                assert answer.status == 200, answer.status
            passive += body.startswith("<xml>")
            return time.perf_counter() - started

        line, rate = summary(f"xiaoer wechat callback ({_where(url, load)})", *await closed_loop(load, one))
        return f"{line} passive={passive}/{load.total}", rate


def _where(url: str, load: Load) -> str:
    backend = make_url(url).get_backend_name()
    return backend if load.processes == 1 else f"{backend}, {load.processes} processes"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--messages", type=int, default=3_000)
    parser.add_argument("--postgres", help="a PostgreSQL server URL; a fresh database is made and dropped on it")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="seconds each chat waits (on average) after an answer before writing again",
    )
    parser.add_argument("--processes", type=int, default=1, help="serve processes sharing the store")
    args = parser.parse_args()
    load = Load(args.chats, args.messages, args.think, args.processes)
    if load.think:
        print(f"{load.chats} chats, each writing again {load.think:g} s (on average) after its answer")
    baseline, bare_rate = await bare(load)
    print(baseline)
    with tempfile.TemporaryDirectory() as folder:
        urls = [f"sqlite:///{Path(folder) / 'bench.db'}"]
        name = f"xiaoer_chat_bench_{uuid.uuid4().hex[:8]}"
        if args.postgres:
            await _admin(args.postgres, f'CREATE DATABASE "{name}"')
            urls.append(make_url(args.postgres).set(database=name).render_as_string(hide_password=False))
        try:
            for url in urls:
                orders = await seeded_orders(url)
                for channel in (telegram, wechat):
                    line, rate = await channel(url, orders, load)
                    print(f"{line} vs_bare={rate / bare_rate:.2f}")
        finally:
            if args.postgres:
                await _admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    asyncio.run(main())
