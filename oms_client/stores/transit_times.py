"""Transit times learned from the shop's own delivered parcels, so the bot's ETA and its "running late" are
this shop's couriers on this shop's routes, not a table someone typed.

A route is a courier from a warehouse to a province. Parcels signed within the window are counted in
two-hour buckets inside the database (one grouped pass, however many parcels), and each route, each courier
and the whole shop with enough parcels gets its quartiles and 90th percentile. A parcel's usual time is its
route's, or with too few parcels there its courier's, or the shop's.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from datetime import datetime, timedelta

from sqlalchemy import Row, Select, delete, func, insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from oms_client.domain import TrackingState, TransitTime
from oms_client.sql import models as m
from oms_client.sql.database import Database
from oms_client.sql.spelled import epoch_seconds, whole

Route = tuple[str, str, str]  # courier, origin warehouse, destination province; '' for any
BUCKET_HOURS = 2
WINDOW = timedelta(days=90)  # recent enough to follow a courier getting faster or slower
MIN_SAMPLES = 30  # fewer parcels say little about a 90th percentile
QUANTILES = (0.25, 0.5, 0.75, 0.9)


def wider(route: Route) -> tuple[Route, Route, Route]:
    """The route, then its courier, then the whole shop: where a parcel's usual time is looked for."""
    return route, (route[0], "", ""), ("", "", "")


class SqlTransitTimes:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def learn(self, now: datetime, window: timedelta = WINDOW, min_samples: int = MIN_SAMPLES) -> int:
        """Replace what was learned with what the window's parcels say; the number of routes (and couriers,
        and the shop) that had enough."""
        async with self.database.read.connect() as conn:
            counted = (await conn.execute(_buckets(now - window, now))).all()
        histograms = _histograms(counted)
        rows = [_row(route, counts, now) for route, counts in histograms.items() if counts.total() >= min_samples]
        async with self.database.write.begin() as conn:
            await conn.execute(delete(m.TransitTimeRow))
            if rows:
                await conn.execute(insert(m.TransitTimeRow), rows)
        return len(rows)


async def usual_times(session: AsyncSession, routes: Collection[Route]) -> dict[Route, TransitTime]:
    """Each route's usual time (its own, its courier's or the shop's); routes with none are left out."""
    keys = {key for route in routes for key in wider(route)}
    if not keys:
        return {}
    table = m.TransitTimeRow
    query = select(table).where(tuple_(table.courier, table.origin, table.destination).in_(keys))
    learned = {(row.courier, row.origin, row.destination): row for row in await session.scalars(query)}
    found = {}
    for route in routes:
        for level, key in zip(("route", "courier", "overall"), wider(route), strict=True):
            if key in learned:
                found[route] = _time(level, learned[key])
                break
    return found


def _buckets(since: datetime, until: datetime) -> Select[str, str, str, int, int]:
    shipment, order = m.ShipmentRow, m.OrderRow
    hours = (epoch_seconds(shipment.last_event_at) - epoch_seconds(shipment.shipped_at)) / 3600.0
    bucket = whole(hours / BUCKET_HOURS)
    return (
        select(shipment.courier, shipment.warehouse, order.receiver_province, bucket.label("bucket"), func.count())
        .join(order, order.id == shipment.order_id)
        .where(
            shipment.last_event_state == TrackingState.SIGNED.value,
            shipment.last_event_at.between(since, until),
            shipment.last_event_at > shipment.shipped_at,
        )
        .group_by(shipment.courier, shipment.warehouse, order.receiver_province, bucket)
    )


def _histograms(counted: Iterable[Row[str, str, str, int, int]]) -> dict[Route, Counter[int]]:
    histograms: dict[Route, Counter[int]] = defaultdict(Counter)
    for courier, origin, destination, bucket, parcels in counted:
        for key in wider((courier, origin, destination)):
            histograms[key][bucket] += parcels
    return histograms


def _row(route: Route, counts: Counter[int], now: datetime) -> dict[str, object]:
    p25, p50, p75, p90 = (percentile(counts, q) for q in QUANTILES)
    courier, origin, destination = route
    return {"courier": courier, "origin": origin, "destination": destination, "samples": counts.total(),
            "p25_hours": p25, "p50_hours": p50, "p75_hours": p75, "p90_hours": p90, "learned_at": now}  # fmt: skip


def percentile(counts: Counter[int], q: float) -> float:
    """The q-th quantile of hours counted in buckets, spread evenly inside the bucket it falls in."""
    target, passed = q * counts.total(), 0
    for bucket in sorted(counts):
        if passed + counts[bucket] >= target:
            return (bucket + (target - passed) / counts[bucket]) * BUCKET_HOURS
        passed += counts[bucket]
    return (max(counts) + 1) * BUCKET_HOURS


def _time(level: str, row: m.TransitTimeRow) -> TransitTime:
    hours = [timedelta(hours=h) for h in (row.p25_hours, row.p50_hours, row.p75_hours, row.p90_hours)]
    return TransitTime(level, row.samples, *hours)
