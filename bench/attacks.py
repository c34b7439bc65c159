"""The attacks of issue 19, played over HTTP against a real `xiaoer serve --demo` on SQLite; prints one line each.

    python -m bench.attacks [--burst 300] [--checkout DIR]

`--checkout` runs the server from another checkout of the code (an older commit, to measure "before"); the
attacks only use the web chat's HTTP API and the store's tables, which both versions share.

- burst: that many fresh visitors post `订单 X 尾号 T` for one order at the same moment, the right tail
  among them; prints the failures the store recorded for the order and whether the right tail verified.
- uploads: ten "pictures" of 5 MB (a PNG header and padding) from fresh visitors; prints how many were
  kept and how much the store grew.
- handoffs: twenty fresh visitors say 转人工; prints how many hand-offs were queued.
- lockout: two visitors send ten wrong tails for an order, then its owner sends the right one (and, when
  refused, the whole phone number); prints what the owner got.
- cookies: thirty fresh visitors from one address each guess one wrong tail (each for another made-up
  order), then a thirty-first sends a right tail; prints whether it verified.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import aiohttp

from tests.e2e.conftest import free_port, healthy

HEADER = {"X-Xiaoer-Chat": "1"}
ROOT = Path(__file__).resolve().parent.parent


class Visitor:
    """A fresh web chat visitor (a new cookie)."""

    def __init__(self, base: str, address: str) -> None:
        self.base = base
        jar = aiohttp.CookieJar(unsafe=True)
        self.http = aiohttp.ClientSession(cookie_jar=jar, headers={"X-Forwarded-For": address})
        self.sent = 0
        self.after = 0

    async def open(self) -> Visitor:
        async with self.http.get(f"{self.base}/chat") as answer:
            await answer.read()
        return self

    async def say(self, text: str) -> int:
        self.sent += 1
        message = {"id": f"a-{uuid.uuid4().hex[:12]}", "text": text}
        async with self.http.post(f"{self.base}/chat/api/messages", json=message, headers=HEADER) as answer:
            return answer.status

    async def read(self, seconds: float = 10) -> str:
        """The replies since the last read, once at least one has come (or `seconds` passed)."""
        params = {"after": str(self.after), "wait": str(int(seconds))}
        async with self.http.get(f"{self.base}/chat/api/replies", params=params) as answer:
            got = await answer.json()
        self.after = got.get("after", self.after)
        return "\n".join(m.get("text", "") for m in got.get("messages", []) if m.get("from") == "bot")

    async def upload(self, data: bytes) -> int:
        headers = {**HEADER, "Content-Type": "image/png"}
        async with self.http.post(f"{self.base}/chat/api/images", data=data, headers=headers) as answer:
            return answer.status

    async def close(self) -> None:
        await self.http.close()


async def visitors(base: str, count: int, address: str) -> list[Visitor]:
    """Fresh visitors coming from `address` (the server trusts X-Forwarded-For, as behind a proxy; a version
    that knows no such setting sees them all at loopback)."""
    return list(await asyncio.gather(*(Visitor(base, address).open() for _ in range(count))))


def orders(db: Path, count: int) -> list[tuple[str, str]]:
    """Shipped orders' numbers and receiver phones, straight from the demo store."""
    with sqlite3.connect(db) as conn:
        query = "SELECT order_no, receiver_phone FROM orders WHERE state = 'shipped' ORDER BY id LIMIT ?"
        return [(row[0], row[1]) for row in conn.execute(query, (count,))]


def scalar(db: Path, query: str, *args: object) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(query, args).fetchone()[0])


def store_bytes(db: Path) -> int:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))


async def burst(base: str, db: Path, order: tuple[str, str], size: int) -> str:
    order_no, phone = order
    wrong = [f"{n:04d}" for n in range(10_000) if f"{n:04d}" != phone[-4:]][: size - 1]
    tails = [*wrong[: size // 2], phone[-4:], *wrong[size // 2 :]]
    crowd = await visitors(base, size, "198.51.100.1")
    await asyncio.gather(*(v.say(f"订单 {order_no} 尾号 {tail}") for v, tail in zip(crowd, tails, strict=True)))
    answers = await asyncio.gather(*(v.read() for v in crowd))
    verified = "验证成功" in answers[size // 2]
    failures = scalar(db, "SELECT count(*) FROM verification_failures WHERE order_no = ?", order_no)
    await asyncio.gather(*(v.close() for v in crowd))
    return f"burst: guesses={size} failures_recorded={failures} right_tail_verified={verified}"


async def uploads(base: str, db: Path) -> str:
    before = store_bytes(db)
    crowd = await visitors(base, 10, "198.51.100.2")
    junk = b"\x89PNG\r\n\x1a\n" + b"\0" * (5 * 1024 * 1024 - 16)
    statuses = [await v.upload(junk) for v in crowd]
    await asyncio.gather(*(v.close() for v in crowd))
    grown = (store_bytes(db) - before) / 1024 / 1024
    return f"uploads: sent=10 kept={statuses.count(201)} store_grew={grown:.1f} MB statuses={sorted(set(statuses))}"


async def handoffs(base: str, db: Path) -> str:
    before = scalar(db, "SELECT count(*) FROM handoffs")
    crowd = await visitors(base, 20, "198.51.100.3")
    await asyncio.gather(*(v.say("转人工") for v in crowd))
    await asyncio.gather(*(v.read() for v in crowd))
    queued = scalar(db, "SELECT count(*) FROM handoffs") - before
    await asyncio.gather(*(v.close() for v in crowd))
    return f"handoffs: visitors=20 queued={queued}"


async def lockout(base: str, order: tuple[str, str]) -> str:
    order_no, phone = order
    wrong = "0000" if phone[-4:] != "0000" else "1111"
    for attacker in await visitors(base, 2, "198.51.100.4"):
        for _ in range(5):
            await attacker.say(f"订单 {order_no} 尾号 {wrong}")
            await attacker.read()
        await attacker.close()
    [owner] = await visitors(base, 1, "192.0.2.4")
    await owner.say(f"订单 {order_no} 尾号 {phone[-4:]}")
    by_tail = "验证成功" in await owner.read()
    await owner.say(phone)
    by_phone = "验证成功" in await owner.read()
    await owner.close()
    return f"lockout: owner_verified_by_tail={by_tail} owner_verified_by_whole_phone={by_phone}"


async def cookies(base: str, order: tuple[str, str]) -> str:
    for n in range(30):
        await said_once(base, "198.51.100.5", f"订单 4100000000000{n:06d} 尾号 1234")
    verified = "验证成功" in await said_once(base, "198.51.100.5", f"订单 {order[0]} 尾号 {order[1][-4:]}")
    return f"cookies: wrong_guesses_from_one_address=30 then_right_tail_verified={verified}"


async def said_once(base: str, address: str, text: str) -> str:
    """What a fresh visitor who says one thing is answered."""
    [visitor] = await visitors(base, 1, address)
    await visitor.say(text)
    answer = await visitor.read()
    await visitor.close()
    return answer


async def attack(port: int, db: Path, size: int) -> None:
    await healthy(port)
    base = f"http://127.0.0.1:{port}"
    targets = orders(db, 4)
    print(await burst(base, db, targets[0], size), flush=True)
    print(await uploads(base, db), flush=True)
    print(await handoffs(base, db), flush=True)
    print(await lockout(base, targets[1]), flush=True)
    print(await cookies(base, targets[2]), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--burst", type=int, default=300)
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the code to serve (default: this one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "attacked.db"
        port = free_port()
        env = os.environ | {"XIAOER_DATABASE_URL": f"sqlite:///{db}", "XIAOER_PORT": str(port),
                            "PYTHONPATH": str(args.checkout.resolve()), "XIAOER_LOG_LEVEL": "ERROR",
                            "XIAOER_TRUSTED_PROXY_HEADER": "X-Forwarded-For"}  # fmt: skip
        server = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--demo"], env=env, cwd=folder)
        try:
            asyncio.run(attack(port, db, args.burst))
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
