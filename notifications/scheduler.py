"""Every periodic job of a serving process, on APScheduler: the scans (with escalation) every few minutes, the
relay every few seconds, and the jobs the app adds (`Periodic`: the inbox sweep, customers' case updates, the
heartbeat, the retention purge, ...).

Every process that shares the store runs the scheduler. The scans, the relay and any `leased` job do their
work only in the process holding the lease, and each scan interval is claimed once, so three processes still
scan once per interval; the others run in every process (each process's own heartbeat, say).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import socket
import time
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
# A run longer than this (or than its own period) is logged as slow: the store or a platform is struggling.
SLOW_RUN = timedelta(seconds=5)


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class Periodic:
    """A job run every `every` until the process stops; a failure is logged and the next run still comes."""

    name: str
    every: timedelta
    run: Callable[[], Awaitable[object]]
    leased: bool = False  # once for all processes sharing the store, by the lease holder


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
    periodic: list[Periodic] = field(default_factory=list)
    on_scan: Callable[[float], None] = lambda seconds: None  # how long each scan this process ran took
    in_progress: set[asyncio.Task[object]] = field(default_factory=set, init=False)

    async def scan_tick(self) -> bool:
        """True when this process ran this interval's scan."""
        now = self.clock.now()
        if not await self._lead(now):
            return False
        slot = int(now.timestamp() // (self.config.scan_every_minutes * 60))
        if not await self.leases.claim_run("scan", slot, self.holder, now):
            return False
        started = time.perf_counter()
        change = await self.alerts.scan(now, self.config.thresholds, self.config.routing(now, self.zone))
        self.on_scan(time.perf_counter() - started)
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

    async def periodic_tick(self, job: Periodic) -> None:
        if not job.leased or await self._lead(self.clock.now()):
            await job.run()

    async def _lead(self, now: datetime) -> bool:
        ttl = timedelta(seconds=max(self.config.lease_seconds, 3 * self.config.relay_every_seconds))
        return await self.leases.hold(LEASE, self.holder, ttl, now)

    async def step_down(self) -> None:
        await self.leases.release(LEASE, self.holder)

    async def tracked(self, name: str, period: timedelta, job: Callable[[], Awaitable[object]]) -> object:
        """Run a job so that `stop_scheduler` can let it finish instead of cutting it off mid-write; a run that
        takes longer than its period (or SLOW_RUN) is logged, routine runs are not."""
        task = asyncio.current_task()
        assert task is not None
        self.in_progress.add(task)
        started = time.monotonic()
        try:
            return await job()
        finally:
            self.in_progress.discard(task)
            took = time.monotonic() - started
            if took > min(period, SLOW_RUN).total_seconds():
                log.warning("job %r took %.1f s (it runs every %s)", name, took, period)


def start_scheduler(jobs: Jobs) -> AsyncIOScheduler:
    """Coalesced, with about one interval of misfire grace: a late run happens once, not in a burst."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    every: list[tuple[str, timedelta, Callable[[], Awaitable[object]]]] = [
        ("scan", timedelta(minutes=jobs.config.scan_every_minutes), jobs.scan_tick),
        ("relay", timedelta(seconds=jobs.config.relay_every_seconds), jobs.relay_tick),
        *((job.name, job.every, functools.partial(jobs.periodic_tick, job)) for job in jobs.periodic),
    ]
    for name, period, tick in every:
        seconds = period.total_seconds()
        scheduler.add_job(
            functools.partial(jobs.tracked, name, period, tick),
            "interval",
            seconds=seconds,
            name=name,
            coalesce=True,
            max_instances=1,
            next_run_time=datetime.now(UTC),
            misfire_grace_time=max(1, int(seconds)),
        )
    scheduler.start()
    log.info("scheduler: %d jobs (%s)", len(every), ", ".join(name for name, _, _ in every))
    return scheduler


async def stop_scheduler(scheduler: AsyncIOScheduler, jobs: Jobs, grace_seconds: float) -> None:
    """No new runs; the running ones get `grace_seconds` to finish. APScheduler's own shutdown cancels
    them wherever they are, and each cut-off run was logged as a failed job."""
    scheduler.pause()
    running = set(jobs.in_progress)
    if running:
        await asyncio.wait(running, timeout=grace_seconds)
    scheduler.shutdown(wait=False)
