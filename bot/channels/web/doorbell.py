"""Wakes the pages waiting for a chat's replies the moment this process queues one.

Replies queued by another process are found by the waiting request's own periodic look at the store.
"""

from __future__ import annotations

import asyncio
import contextlib


class Doorbell:
    def __init__(self) -> None:
        self._waiting: dict[str, set[asyncio.Event]] = {}

    def ring(self, chat_key: str) -> None:
        for event in self._waiting.get(chat_key, ()):
            event.set()

    def ring_all(self) -> None:
        for waiting in self._waiting.values():
            for event in waiting:
                event.set()

    async def wait(self, chat_key: str, seconds: float) -> None:
        """Return when the chat is rung or after `seconds`, whichever comes first."""
        event = asyncio.Event()
        self._waiting.setdefault(chat_key, set()).add(event)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), seconds)
        finally:
            waiting = self._waiting[chat_key]
            waiting.discard(event)
            if not waiting:
                del self._waiting[chat_key]
