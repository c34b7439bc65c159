"""The port every push target implements; the relay knows nothing else about platforms."""

from __future__ import annotations

from typing import Protocol

from notifications.compose import PushMessage


class PushFailed(Exception):
    """The target did not take the message; try again later with backoff."""


class RetryAfter(Exception):
    """The target is rate limiting us and said how long to wait (HTTP 429, WeCom 45009)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds


class Pusher(Protocol):
    async def push(self, message: PushMessage) -> None:
        """Deliver or raise PushFailed / RetryAfter; never swallow a failure."""
