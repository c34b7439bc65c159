"""Asking an external OMS for an order the store does not hold, and keeping its answer in the store.

The answer is written as an import would write it, so everything downstream (chat answers, scans, cases) works
on it unchanged. A number is asked about at most once per `fresh` interval, found or not: an order held is
brought up to date that often (the OMS is the truth for it), and a number nobody holds is not asked about again
and again by whoever types it. The asking is capped per minute so a flood of made-up numbers cannot flood the
OMS; when it is down or over the cap, the store answers with what it holds.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Protocol

from oms_client.budgets import AskedRecently, PerMinute
from oms_client.clock import Clock
from oms_client.external.http_oms import OmsUnavailable
from oms_client.imports.records import ImportedOrder
from oms_client.stores.imports import SqlImports

log = logging.getLogger(__name__)


class OrderSource(Protocol):
    async def lookup(self, order_no: str) -> list[ImportedOrder]:
        """The orders with this number the other system holds; raises OmsUnavailable."""


class ExternalOrders:
    def __init__(
        self,
        source: OrderSource,
        writer: SqlImports,
        clock: Clock,
        fresh: timedelta = timedelta(minutes=5),
        per_minute: int = 120,
    ) -> None:
        self.source, self.writer, self.clock = source, writer, clock
        self.asked, self.cap = AskedRecently(fresh), PerMinute(per_minute)

    async def refresh(self, order_no: str) -> bool:
        """Ask the OMS about this number if it is due and keep its answer. False when it was due but could not
        be asked (the OMS is down, or the cap is reached): the store's answer may then be missing the order."""
        if not self.asked.due(order_no):
            return True
        if not self.cap.take():
            return False
        try:
            found = await self.source.lookup(order_no)
        except OmsUnavailable as error:
            log.warning("order %s not looked up: %s", order_no, error)
            return False
        self.asked.note(order_no)
        if found:
            await self.writer.upsert_orders(found, self.clock.now())
        return True
