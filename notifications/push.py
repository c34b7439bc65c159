"""The port every push target implements; the relay knows nothing else about platforms."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Protocol

from notifications.compose import PushMessage


class PushFailed(Exception):
    """The target did not take the message; try again later with backoff."""


class Undeliverable(PushFailed):
    """The target refuses for good (the user blocked the bot, the chat is gone): retrying cannot help."""


class RetryAfter(Exception):
    """The target is rate limiting us and said how long to wait (HTTP 429, WeCom 45009)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds


class Pusher(Protocol):
    async def push(self, message: PushMessage) -> None:
        """Deliver or raise PushFailed / RetryAfter; never swallow a failure."""


def backoff(attempts: int, base: float, cap: float, rng: random.Random) -> timedelta:
    """Exponential backoff with jitter, so retries of many targets and processes spread out."""
    ceiling = min(cap, base * 2 ** (attempts - 1))
    return timedelta(seconds=ceiling * rng.uniform(0.5, 1.0))
