"""The relay: drains the outbox into the push targets without losing, repeating or flooding.

- Each target has a budget (messages per minute, and a spacing for Telegram chats) counted from the
  deliveries table, so several processes share it. When more is due than the budget allows, the relay
  sends one digest of everything due instead of dropping or trickling.
- A failure counts one attempt for every row in the message and retries the message after an
  exponential backoff with jitter; the last attempt moves the row to the dead-letter table, and dead
  letters are themselves reported on the other targets.
- A 429 (or WeCom's 45009) is not a failure: the target's rows wait out its retry-after.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from notifications.compose import DIGEST_SHOWN, compose
from notifications.config import AlertsConfig
from notifications.push import Pusher, PushFailed, RetryAfter, backoff
from oms_client.alerts.lifecycle import outbox_message
from oms_client.alerts.outbox import DeadLetters, DueBatch, OutboxStore
from oms_client.clock import Clock

log = logging.getLogger(__name__)
SINGLE_MAX = 3  # up to this many due at once go one by one; more become a digest
WINDOW = timedelta(minutes=1)


@dataclass
class RelayReport:
    sent: int = 0  # messages that reached a target (a digest is one)
    items: int = 0  # outbox rows they carried
    failed: int = 0
    dead: int = 0
    waiting: dict[str, str] = field(default_factory=dict)  # target → why it was skipped this tick


class Relay:
    def __init__(
        self,
        outbox: OutboxStore,
        pushers: Mapping[str, Pusher],
        config: AlertsConfig,
        clock: Clock,
        zone: ZoneInfo,
        rng: random.Random | None = None,
        observe: Callable[[str, bool], None] = lambda target, ok: None,
    ) -> None:
        """`observe`: told of each push, by target and whether it was taken (the operators' metrics)."""
        self.outbox, self.pushers, self.config = outbox, pushers, config
        self.clock, self.zone = clock, zone
        self.rng = rng or random.Random()
        self.observe = observe

    async def tick(self) -> RelayReport:
        """One pass over every target with something due; the scheduler calls this every few seconds."""
        report = RelayReport()
        now = self.clock.now()
        for target in await self.outbox.targets_due(now):
            await self._drain(target, now, report)
        await self._report_dead_letters(now)
        return report

    async def _drain(self, target: str, now: datetime, report: RelayReport) -> None:
        pusher = self.pushers.get(target)
        if pusher is None:
            report.waiting[target] = "no pusher configured"
            return
        budget = await self._budget(target, now)
        if budget <= 0:
            report.waiting[target] = "rate limit"
            return
        batch = await self.outbox.due(target, now, shown=max(SINGLE_MAX, DIGEST_SHOWN))
        if len(batch.ids) <= min(budget, SINGLE_MAX) and not batch.held:
            for item in batch.shown:
                single = DueBatch(ids=[item.id], shown=[item])
                if not await self._send(target, pusher, single, now, report):
                    return
        else:
            await self._send(target, pusher, batch, now, report)

    async def _budget(self, target: str, now: datetime) -> int:
        config = self.config.target(target)
        per_minute = config.rate_per_minute() if config else 20
        spacing = config.min_spacing() if config else timedelta(0)
        if spacing and await self.outbox.sent_since(target, now - spacing) > 0:
            return 0
        left = per_minute - await self.outbox.sent_since(target, now - WINDOW)
        return min(left, 1) if spacing else left

    async def _send(self, target: str, pusher: Pusher, batch: DueBatch, now: datetime, report: RelayReport) -> bool:
        message = compose(batch.shown, batch.topics, len(batch.ids), now, self.zone)
        try:
            await pusher.push(message)
        except RetryAfter as wait:
            log.warning("target %s asks to wait %.0f s", target, wait.seconds)
            await self.outbox.postpone(target, now + timedelta(seconds=wait.seconds))
            report.waiting[target] = "retry-after"
            return False
        except PushFailed as error:
            log.warning("push to %s failed: %s", target, error)
            self.observe(target, False)
            report.failed += 1
            report.dead += await self.outbox.failed(batch.ids, str(error), now, self._delay, self.config.max_attempts)
            return False
        self.observe(target, True)
        report.items += await self.outbox.mark_sent(target, batch.ids, now)
        report.sent += 1
        return True

    def _delay(self, attempts: int) -> timedelta:
        return backoff(attempts, self.config.retry_base_seconds, self.config.retry_cap_seconds, self.rng)

    async def _report_dead_letters(self, now: datetime) -> None:
        for letters in await self.outbox.unreported_dead():
            log.error("%d messages to %s given up: %s", letters.count, letters.target, letters.last_error)
            await self.outbox.report_dead(letters, self._reports(letters, now), now)

    def _reports(self, letters: DeadLetters, now: datetime) -> list[dict[str, object]]:
        """Told on every other target; with none, the error log above is the report."""
        if letters.count == 0:
            return []
        payload = {"target": letters.target, "count": letters.count, "error": letters.last_error or ""}
        others = [t.name for t in self.config.targets if t.name != letters.target]
        return [outbox_message(name, "dead_letters", "critical", payload, now) for name in others]
