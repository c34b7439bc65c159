"""The event relay: sends outbound events to the seller's systems in order per order, at least once.

Each pass walks the waiting events oldest first. An event not yet due (it failed and waits out its backoff)
holds back every later event of its order, so an order's events arrive in the order they happened. The first
failure ends the pass: a receiver that is down is asked once a pass, not once per waiting event, and each
event's own backoff grows with its attempts (capped, never given up: an event is only ever late, not lost).
"""

from __future__ import annotations

import json
import logging
import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from notifications.push import PushFailed, backoff
from oms_client.clock import Clock
from oms_client.stores.events import EventOutbox

log = logging.getLogger(__name__)


class EventPoster(Protocol):
    async def post(self, body: bytes, event_id: str) -> None:
        """Deliver or raise PushFailed."""


@dataclass
class EventReport:
    sent: int = 0
    failed: int = 0
    held: int = 0  # waiting behind an earlier event of their order


@dataclass(frozen=True)
class EventPacing:
    retry_base_seconds: float = 5
    retry_cap_seconds: float = 600
    per_pass: int = 200


class EventRelay:
    def __init__(
        self,
        events: EventOutbox,
        poster: EventPoster,
        clock: Clock,
        pacing: EventPacing | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.events, self.poster, self.clock = events, poster, clock
        self.pacing = pacing or EventPacing()
        self.rng = rng or random.Random()

    async def tick(self) -> EventReport:
        report, held = EventReport(), set[str]()
        now = self.clock.now()
        for event in await self.events.waiting(self.pacing.per_pass):
            if event.stream in held or event.not_before > now:
                held.add(event.stream)
                report.held += 1
                continue
            try:
                await self.poster.post(encode(event.body), str(event.body["id"]))
            except PushFailed as error:
                log.warning("event %s not delivered (attempt %d): %s", event.body["id"], event.attempts + 1, error)
                await self.events.retry(event.row_id, str(error), now + self._delay(event.attempts + 1))
                report.failed += 1
                break
            await self.events.delivered(event.row_id, self.clock.now())
            report.sent += 1
        return report

    def _delay(self, attempts: int) -> timedelta:
        return backoff(attempts, self.pacing.retry_base_seconds, self.pacing.retry_cap_seconds, self.rng)


def encode(body: dict[str, Any]) -> bytes:
    """The exact bytes that are signed and sent: compact UTF-8 JSON (Chinese as is, not as \\u escapes)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
