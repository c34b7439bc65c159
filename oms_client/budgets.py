"""How often someone may do something that costs us: uploads, hand-offs, per chat user and per address.

A new web visitor costs nothing to make (a new cookie), so what each one may do is also counted per client
address. Counts live in the store, shared by every process, in fixed windows: a window's first use starts
it, and it ends `window` later.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol


class Budgets(Protocol):
    async def take(self, key: str, limit: int, window: timedelta, now: datetime) -> bool:
        """Spend one of the `limit` uses `key` has per `window`; False (and nothing spent) when they are gone."""
