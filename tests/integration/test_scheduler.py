"""The scheduled jobs in a real app: who leads, and stopping lets a running job finish."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from notifications.scheduler import Periodic, start_scheduler, stop_scheduler
from oms_client.sql.database import Database
from oms_client.sql.leases import Leases
from tests.integration.test_telegram import Rig, start_rig


@pytest_asyncio.fixture
async def rig(database: Database, tmp_path: Path) -> AsyncIterator[Rig]:
    async with start_rig(database, tmp_path, shop_toml="") as built:
        yield built


async def test_stopping_lets_a_running_scan_finish_instead_of_cutting_it_off(
    rig: Rig, caplog: pytest.LogCaptureFixture
) -> None:
    in_scan, go_on, finished = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def slow_step_after_the_scan() -> None:
        in_scan.set()
        await go_on.wait()
        finished.set()

    rig.app.jobs.after_scan.append(slow_step_after_the_scan)
    scheduler = start_scheduler(rig.app.jobs)  # the first scan runs at once
    await asyncio.wait_for(in_scan.wait(), 10)
    stopping = asyncio.create_task(stop_scheduler(scheduler, rig.app.jobs, grace_seconds=10))
    await asyncio.sleep(0.2)
    assert not stopping.done()  # waiting for the scan, not cancelling it
    go_on.set()
    await asyncio.wait_for(stopping, 5)
    assert finished.is_set()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_two_jobs_of_one_process_taking_a_new_lease_at_once_both_lead(database: Database) -> None:
    """The scan and the relay start together; on a new store neither may lose the lease to the other."""
    leases, now = Leases(database), datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
    for round_ in range(20):
        name = f"lease-{round_}"
        held = await asyncio.gather(*(leases.hold(name, "this-process", timedelta(seconds=30), now) for _ in range(3)))
        assert held == [True, True, True]
    assert not await leases.hold("lease-0", "another-process", timedelta(seconds=30), now)


async def test_a_leased_job_runs_in_one_process_and_the_others_in_each(rig: Rig) -> None:
    runs: dict[str, list[str]] = {"purge": [], "heartbeat": []}

    def job(name: str, holder: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            runs[name].append(holder)

        return run

    processes = [rig.app.jobs, replace(rig.app.jobs, holder="second-process")]
    for _ in range(3):
        for jobs in processes:
            await jobs.periodic_tick(Periodic("purge", timedelta(minutes=10), job("purge", jobs.holder), leased=True))
            await jobs.periodic_tick(Periodic("heartbeat", timedelta(seconds=3), job("heartbeat", jobs.holder)))
    assert runs["purge"] == [rig.app.jobs.holder] * 3
    assert sorted(runs["heartbeat"]) == sorted([rig.app.jobs.holder, "second-process"] * 3)


async def test_a_periodic_job_that_fails_still_runs_at_its_next_time(rig: Rig) -> None:
    calls = 0
    again = asyncio.Event()

    async def flaky() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("the store was briefly away")
        again.set()

    rig.app.jobs.periodic.append(Periodic("flaky", timedelta(seconds=1), flaky))
    scheduler = start_scheduler(rig.app.jobs)
    try:
        await asyncio.wait_for(again.wait(), 10)
    finally:
        await stop_scheduler(scheduler, rig.app.jobs, grace_seconds=5)
    assert calls >= 2
