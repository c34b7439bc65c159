"""APScheduler jobs: scans (with escalation) every few minutes and the relay every few seconds.

Every process that shares the store runs the scheduler; only the lease holder does the work, and each
scan interval is claimed once, so three processes still scan once per interval.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from notifications.config import AlertsConfig
from notifications.relay import Relay
from oms_client.alerts.desk import AlertStore
from oms_client.clock import Clock
from oms_client.sql.leases import Leases

log = logging.getLogger(__name__)
LEASE = "notifications"


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass
class Jobs:
    alerts: AlertStore
    relay: Relay
    leases: Leases
    config: AlertsConfig
    clock: Clock
    zone: ZoneInfo
    holder: str = field(default_factory=process_name)
    # What else runs after each scan this process ran (telling customers of their own delays).
    after_scan: list[Callable[[], Awaitable[object]]] = field(default_factory=list)
    in_progress: set[asyncio.Task[object]] = field(default_factory=set, init=False)

    async def scan_tick(self) -> bool:
        """True when this process ran this interval's scan."""
        now = self.clock.now()
        if not await self._lead(now):
            return False
        slot = int(now.timestamp() // (self.config.scan_every_minutes * 60))
        if not await self.leases.claim_run("scan", slot, self.holder, now):
            return False
        change = await self.alerts.scan(now, self.config.thresholds, self.config.routing(now, self.zone))
        new, resolved = len(change.opened), len(change.resolved)
        log.info("scan: %d new, %d open, %d resolved", new, new + change.found_again, resolved)
        if self.config.escalation:
            after = timedelta(minutes=self.config.escalate_after_minutes)
            await self.alerts.escalate(self.config.escalation, after, now)
        for job in self.after_scan:
            await job()
        return True

    async def relay_tick(self) -> None:
        if await self._lead(self.clock.now()):
            report = await self.relay.tick()
            if report.sent or report.failed:
                log.info(
                    "relay: sent %d (%d items), failed %d, dead %d",
                    report.sent,
                    report.items,
                    report.failed,
                    report.dead,
                )

    async def _lead(self, now: datetime) -> bool:
        ttl = timedelta(seconds=max(self.config.lease_seconds, 3 * self.config.relay_every_seconds))
        return await self.leases.hold(LEASE, self.holder, ttl, now)

    async def step_down(self) -> None:
        await self.leases.release(LEASE, self.holder)

    async def tracked(self, job: Callable[[], Awaitable[object]]) -> object:
        """Run a job so that `stop_scheduler` can let it finish instead of cutting it off mid-write."""
        task = asyncio.current_task()
        assert task is not None
        self.in_progress.add(task)
        try:
            return await job()
        finally:
            self.in_progress.discard(task)


def start_scheduler(jobs: Jobs) -> AsyncIOScheduler:
    """Coalesced, with about one interval of misfire grace: a late run happens once, not in a burst."""
    scan_seconds = jobs.config.scan_every_minutes * 60
    relay_seconds = jobs.config.relay_every_seconds
    scheduler = AsyncIOScheduler(timezone=UTC)
    common = {"coalesce": True, "max_instances": 1, "next_run_time": datetime.now(UTC)}
    scan, relay = functools.partial(jobs.tracked, jobs.scan_tick), functools.partial(jobs.tracked, jobs.relay_tick)
    scheduler.add_job(scan, "interval", seconds=scan_seconds, misfire_grace_time=max(1, int(scan_seconds)), **common)
    scheduler.add_job(relay, "interval", seconds=relay_seconds, misfire_grace_time=max(1, int(relay_seconds)), **common)
    scheduler.start()
    return scheduler


async def stop_scheduler(scheduler: AsyncIOScheduler, jobs: Jobs, grace_seconds: float) -> None:
    """No new runs; the running ones get `grace_seconds` to finish. APScheduler's own shutdown cancels
    them wherever they are, and each cut-off run was logged as a failed job."""
    scheduler.pause()
    running = set(jobs.in_progress)
    if running:
        await asyncio.wait(running, timeout=grace_seconds)
    scheduler.shutdown(wait=False)
