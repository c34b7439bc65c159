"""Background jobs every process runs on a fixed period, outliving any one failure."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

log = logging.getLogger(__name__)


async def repeat(job: Callable[[], Awaitable[object]], every: timedelta, name: str) -> None:
    """Run `job` now and then every period until cancelled; a failure is logged and the next run still comes."""
    while True:
        try:
            await job()
        except Exception:
            log.exception("%s failed; trying again in %s", name, every)
        await asyncio.sleep(every.total_seconds())
