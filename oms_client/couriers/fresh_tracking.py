"""A parcel asked about whose latest scan is old is asked of the tracking provider first (its real-time query),
so the customer hears where it is now, not where it was. Pushes keep most parcels fresh; this covers the ones a
push has not reached yet (subscribed late, or pushed every few hours). Each waybill is asked at most once per
`fresh` interval and the provider at most `per_minute` times, so its quota holds however often customers (or
anyone typing order numbers) ask."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from oms_client.budgets import AskedRecently, PerMinute
from oms_client.clock import Clock
from oms_client.couriers.provider import BadPush, TrackingProvider
from oms_client.domain import Order, Shipment, TrackingState
from oms_client.stores.ingest import SqlIngest

log = logging.getLogger(__name__)
STALE = timedelta(hours=6)


class FreshTracking:
    def __init__(
        self,
        provider: TrackingProvider,
        ingest: SqlIngest,
        clock: Clock,
        fresh: timedelta = timedelta(minutes=30),
        per_minute: int = 30,
    ) -> None:
        self.provider, self.ingest, self.clock = provider, ingest, clock
        self.asked, self.cap = AskedRecently(fresh), PerMinute(per_minute)

    async def refresh(self, orders: Sequence[Order]) -> bool:
        """True when the provider brought newer scans for any of these orders' parcels."""
        changed = False
        now = self.clock.now()
        for order in orders:
            for shipment in order.shipments:
                if self._due(shipment, now):
                    changed |= await self._ask(shipment, order.receiver.phone)
        return changed

    def _due(self, shipment: Shipment, now: datetime) -> bool:
        latest = shipment.latest_event
        if shipment.courier not in self.provider.codes or (latest is not None and latest.state is TrackingState.SIGNED):
            return False
        if latest is not None and now - latest.at < STALE:
            return False
        if not self.asked.due(shipment.tracking_no) or not self.cap.take():
            return False
        self.asked.note(shipment.tracking_no)
        return True

    async def _ask(self, shipment: Shipment, phone: str) -> bool:
        try:
            found = await self.provider.query(shipment.courier, shipment.tracking_no, phone)
        except BadPush as error:
            log.warning(
                "%s's answer about a %s waybill could not be read: %s", self.provider.name, shipment.courier, error
            )
            return False
        if not found:
            return False
        taken = await self.ingest.replace_tracking(found)
        return taken.created + taken.updated > 0
