"""Sends queued replies: each chat's oldest first, at the pace queued with them, retrying what failed.

One sender runs in every process; claims keep two processes off the same reply. Across chats the
platform's overall limit (Telegram: about 30 messages a second per bot) caps each round, counted in the
store for every process together: two processes do not send twice the rate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.channels.port import PushChannel
from bot.channels.reply_window import OutsideWindow
from notifications.push import PushFailed, RetryAfter, Undeliverable, backoff
from oms_client.budgets import SENDS, Budgets
from oms_client.chats.outgoing import OutgoingItem, OutgoingStore
from oms_client.clock import Clock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SendPolicy:
    per_second: int = 30
    max_attempts: int = 10
    retry_base_seconds: float = 1.0
    retry_cap_seconds: float = 120.0
    idle_poll_seconds: float = 0.5


class Sender:
    def __init__(
        self,
        outgoing: OutgoingStore,
        channels: Mapping[str, PushChannel],
        clock: Clock,
        policy: SendPolicy | None = None,
        rng: random.Random | None = None,
        budgets: Budgets | None = None,
        observe: Callable[[str, bool], None] = lambda channel, ok: None,
    ) -> None:
        """`budgets`: where the overall rate is shared with the other processes (without: this process alone);
        `observe`: told of each reply sent or not, by channel (the operators' metrics)."""
        self.outgoing, self.channels, self.clock = outgoing, channels, clock
        self.observe = observe
        self.budgets = budgets
        self.policy = policy or SendPolicy()
        self.rng = rng or random.Random()
        self._kicked = asyncio.Event()
        self._rate_spent = False  # the last round found the shared budget spent: wait for the next second

    def kick(self) -> None:
        """Something was queued: send now rather than at the next poll."""
        self._kicked.set()

    async def tick(self) -> int:
        """One round: claim what is due (at most one second's worth) and send it; returns how many were sent."""
        if not self.channels:
            return 0
        granted_at = self.clock.now()
        items = await self._within_rate(
            await self.outgoing.claim_due(list(self.channels), granted_at, self.policy.per_second), granted_at
        )
        results = await asyncio.gather(*(self._send(item) for item in items))
        if self.budgets is not None and items:  # a late round counts against the second it really went out in
            await self.budgets.restamp(SENDS, granted_at, self.clock.now(), len(items))
        for item, ok in zip(items, results, strict=True):
            self.observe(item.channel, ok)
        delivered = [item.id for item, ok in zip(items, results, strict=True) if ok]
        await self.outgoing.sent(delivered, self.clock.now())  # one write for the round, not one per reply
        return len(delivered)

    async def _within_rate(self, items: list[OutgoingItem], now: datetime) -> list[OutgoingItem]:
        """As many of the claimed replies as this second's shared budget allows; the rest are let go."""
        if self.budgets is None or not items:
            return items
        rate = self.policy.per_second
        granted = await self.budgets.take_sliding(SENDS, len(items), rate, timedelta(seconds=1), now)
        self._rate_spent = granted < len(items)
        await self.outgoing.let_go(items[granted:])
        return items[:granted]

    async def run(self) -> None:
        while True:
            self._kicked.clear()
            started = asyncio.get_running_loop().time()
            try:
                sent = await self.tick()
            except Exception:
                log.exception("send round failed")
                sent = 0
            if sent >= self.policy.per_second or self._rate_spent:
                # A full round, or the other processes used the rest of this second: keep to the overall rate.
                elapsed = asyncio.get_running_loop().time() - started
                await asyncio.sleep(max(0.0, 1.0 - elapsed))
            elif sent == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._kicked.wait(), self.policy.idle_poll_seconds)

    async def _send(self, item: OutgoingItem) -> bool:
        channel = self.channels[item.channel]
        try:
            await channel.send(item.chat_id, item.body)
        except RetryAfter as error:
            log.warning("%s asked to wait %.0f s before writing to a chat again", item.channel, error.seconds)
            until = self.clock.now() + timedelta(seconds=error.seconds)
            await self.outgoing.hold_chat(item.channel, item.chat_id, until)
            return False
        except OutsideWindow as error:
            log.info("reply %d waits for the customer to write again: %s", item.id, error)
            await self.outgoing.await_customer(item, str(error))
            return False
        except Undeliverable as error:
            log.warning("reply %d cannot be delivered: %s", item.id, error)
            await self.outgoing.failed(item, str(error), self.clock.now())
            return False
        except PushFailed as error:
            await self._retry(item, str(error))
            return False
        return True

    async def _retry(self, item: OutgoingItem, error: str) -> None:
        attempts = item.attempts + 1
        if attempts >= self.policy.max_attempts:
            log.error("reply %d given up after %d attempts: %s", item.id, attempts, error)
            await self.outgoing.failed(item, error, self.clock.now())
            return
        log.warning("reply %d failed (attempt %d): %s", item.id, attempts, error)
        delay = backoff(attempts, self.policy.retry_base_seconds, self.policy.retry_cap_seconds, self.rng)
        await self.outgoing.retry(item, error, self.clock.now() + delay)
