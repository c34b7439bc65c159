"""The scheduled jobs in a real app: who leads, and stopping lets a running job finish."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from notifications.scheduler import start_scheduler, stop_scheduler
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
