"""How often someone may do something that costs us: uploads, hand-offs, per chat user and per address.

A new web visitor costs nothing to make (a new cookie), so what each one may do is also counted per client
address. Counts live in the store, shared by every process, in fixed windows: a window's first use starts
it, and it ends `window` later.
"""

from __future__ import annotations

import time
from collections import deque
from datetime import datetime, timedelta
from typing import Protocol

# The bot's overall sends a second, replies and alert pushes of every process together (Telegram allows a bot
# about 30 in any second, so it is a sliding budget; the per-chat pace is kept with each chat's queued replies).
SENDS = "sends"


class Budgets(Protocol):
    async def take(self, key: str, limit: int, window: timedelta, now: datetime) -> bool:
        """Spend one of the `limit` uses `key` has per `window`; False (and nothing spent) when they are gone."""

    async def take_up_to(self, key: str, want: int, limit: int, window: timedelta, now: datetime) -> int:
        """Spend up to `want` of them at once; how many were granted (0 when none are left)."""

    async def take_sliding(self, key: str, want: int, limit: int, window: timedelta, now: datetime) -> int:
        """As `take_up_to`, but no `window` anywhere holds more than `limit` uses: a fixed window lets one
        window's last uses and the next one's first fall within a single `window` (twice the limit)."""

    async def restamp(self, key: str, granted_at: datetime, used_at: datetime, count: int) -> None:
        """Uses granted at `granted_at` that really happened at `used_at` (sends that went out late): counted from
        then, so another process's next grant sees them where the platform does."""


class PerMinute:
    """At most `limit` uses a minute in this process: a guard on another system's quota (an OMS, a tracking
    provider) against a flood of asks, cheaper than a shared budget and enough for a guard."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._recent: deque[float] = deque()

    def take(self) -> bool:
        now = time.monotonic()
        while self._recent and now - self._recent[0] > 60:
            self._recent.popleft()
        if len(self._recent) >= self.limit:
            return False
        self._recent.append(now)
        return True


class AskedRecently:
    """Keys this process asked another system about within `every`, so each is asked at most that often. Keys
    older than `every` are due again anyway and are forgotten once many pile up: keys typed by anyone (made-up
    order numbers) must not grow it without end."""

    def __init__(self, every: timedelta, remembered: int = 10_000) -> None:
        self.every, self.remembered = every.total_seconds(), remembered
        self._at: dict[str, float] = {}

    def due(self, key: str) -> bool:
        asked = self._at.get(key)
        return asked is None or time.monotonic() - asked >= self.every

    def note(self, key: str) -> None:
        now = time.monotonic()
        if len(self._at) > self.remembered:
            self._at = {known: at for known, at in self._at.items() if now - at < self.every}
        self._at[key] = now
