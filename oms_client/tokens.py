"""Platform access tokens shared by every process that serves one shop.

WeChat and WeCom hand out one access token per app at a time: fetching a new one makes the others' stop
working. So processes must not each fetch their own. The token is kept in the store, and refreshing it is
claimed for a short while, so of several processes that find it expired one fetches and the others wait
for what it fetched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class TokenTurn:
    """What a process should do for a token: use `token`, fetch one itself (`fetch`), or wait a moment."""

    token: str | None = None
    expires_at: datetime | None = None
    fetch: bool = False


class SharedTokens(Protocol):
    async def turn(self, app: str, stale: str | None, now: datetime) -> TokenTurn:
        """The token to use for `app`; or, when none is valid (or only `stale`, which the platform refused), the
        caller's turn to fetch one (claimed for a while, so the others wait), or a wait while another fetches."""

    async def keep(self, app: str, token: str, expires_at: datetime) -> None:
        """The token just fetched, for every process (and the refresh claim ended)."""

    async def release(self, app: str) -> None:
        """The fetch failed: the next process to need a token tries at once rather than waiting for the claim."""
