"""Transit times and the predicted-late alert on seeded history: how long learning takes, and how often (and how
early) `transit_predicted_late` comes before the stall alert.

python bench/transit_bench.py [--orders 50000] [--days 90] [--postgres URL]

The store is seeded with `--days` of steady trade (`xiaoer seed`'s history mode). Transit times are learned as
of the middle of that history, from the parcels signed before it; every parcel shipped after it is then played
back scan by scan from its tracking events: the stall alert fires once its latest scan is older than the
courier's stall limit, the prediction once it has been on its way longer than its route's 90th percentile
while not stalled. Nothing after the middle was learned from, so the figures are out of sample.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oms_client.alerts.kinds import ScanLimits
from oms_client.demo.seed import seed_store
from oms_client.domain import TrackingState, TransitTime
from oms_client.sql import models as m
from oms_client.sql.database import Database, open_database
from oms_client.sql.migrate import upgrade
from oms_client.stores.transit_times import Route, SqlTransitTimes, usual_times

NOW = datetime(2026, 11, 22, tzinfo=UTC)


@dataclass
class Parcel:
    route: Route
    shipped_at: datetime
    scans: list[datetime]
    signed_at: datetime | None


@dataclass
class Fired:
    stalled: datetime | None
    predicted: datetime | None


def stall_at(parcel: Parcel, limit: timedelta, end: datetime) -> datetime | None:
    """The first moment its latest scan was older than the limit, before it was signed (or the end)."""
    times = [*parcel.scans, parcel.signed_at or end]
    return next((a + limit for a, b in itertools.pairwise(times) if b - a > limit), None)


def predicted_at(parcel: Parcel, usual: TransitTime, limit: timedelta, end: datetime) -> datetime | None:
    """The first moment past the route's 90th percentile when it was not stalled (and not yet signed)."""
    due, until = parcel.shipped_at + usual.p90, parcel.signed_at or end
    moments = [due, *(scan for scan in parcel.scans if scan > due)]
    for moment in moments:
        latest = max(scan for scan in parcel.scans if scan <= moment)
        if moment < until and moment - latest <= limit:
            return moment
    return None


async def parcels(database: Database, after: datetime) -> list[Parcel]:
    shipment, order, event = m.ShipmentRow, m.OrderRow, m.TrackingEventRow
    async with database.read.connect() as conn:
        rows = await conn.execute(
            select(shipment.id, shipment.courier, shipment.warehouse, order.receiver_province, shipment.shipped_at,
                   shipment.last_event_state, shipment.last_event_at)
            .join(order, order.id == shipment.order_id).where(shipment.shipped_at >= after)
        )  # fmt: skip
        found = {r.id: Parcel((r.courier, r.warehouse, r.receiver_province), r.shipped_at, [],
                              r.last_event_at if r.last_event_state == TrackingState.SIGNED else None)
                 for r in rows}  # fmt: skip
        scans = await conn.execute(
            select(event.shipment_id, event.at).join(shipment, shipment.id == event.shipment_id)
            .where(shipment.shipped_at >= after, event.state != TrackingState.SIGNED.value).order_by(event.at)
        )  # fmt: skip
        for shipment_id, at in scans:
            found[shipment_id].scans.append(at)
    return [parcel for parcel in found.values() if parcel.scans]


def hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def report(fired: list[Fired], late: int, total: int) -> None:
    stalled = [f for f in fired if f.stalled]
    first = [f for f in stalled if f.predicted and f.stalled and f.predicted < f.stalled]
    leads = sorted(hours(f.stalled - f.predicted) for f in first if f.stalled and f.predicted)
    predicted = [f for f in fired if f.predicted]
    print(f"parcels shipped after the middle: {total}; past their route's 90th percentile: {late}")
    share = len(first) / max(1, len(stalled))
    print(f"predicted late: {len(predicted)}; stalled: {len(stalled)}; "
          f"predicted before they stalled: {len(first)} of {len(stalled)} ({share:.0%})")  # fmt: skip
    if leads:
        print(f"lead over the stall alert: median {statistics.median(leads):.1f} h, "
              f"p90 {leads[int(0.9 * (len(leads) - 1))]:.1f} h, max {leads[-1]:.1f} h")  # fmt: skip
    never = [f for f in predicted if not f.stalled]
    print(f"predicted late and never stalled (slow but moving: no stall alert would have said so): {len(never)}")


async def measure(url: str, orders: int, days: int) -> None:
    database = open_database(url)
    try:
        await upgrade(database)
        await seed_store(database, orders=orders, seed=1, now=NOW, history_days=days)
        middle = NOW - timedelta(days=days / 2)
        started = time.perf_counter()
        learned = await SqlTransitTimes(database).learn(middle)
        print(f"{database.dialect}: learned {learned} routes/couriers/shop from {orders} orders in "
              f"{time.perf_counter() - started:.2f} s")  # fmt: skip
        trips = await parcels(database, middle)
        async with AsyncSession(database.read) as session:
            usual = await usual_times(session, {trip.route for trip in trips})
        levels: dict[str, int] = defaultdict(int)
        limits, fired, late = ScanLimits(), [], 0
        for trip in trips:
            if trip.route not in usual:
                continue
            levels[usual[trip.route].level] += 1
            limit = timedelta(hours=limits.stall_hours.get(trip.route[0], limits.default_stall_hours))
            fired.append(Fired(stall_at(trip, limit, NOW), predicted_at(trip, usual[trip.route], limit, NOW)))
            took = (trip.signed_at or NOW) - trip.shipped_at
            late += took > usual[trip.route].p90
        print(f"usual time found at level: {dict(levels)}")
        report(fired, late, len(fired))
        started = time.perf_counter()
        await SqlTransitTimes(database).learn(NOW)
        print(f"{database.dialect}: learning again over the last 90 days took {time.perf_counter() - started:.2f} s")
    finally:
        await database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--postgres", help="also measure on this empty PostgreSQL database, e.g. postgresql://...")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(measure(f"sqlite:///{Path(folder) / 'bench.db'}", args.orders, args.days))
    if args.postgres:
        asyncio.run(measure(args.postgres, args.orders, args.days))


if __name__ == "__main__":
    main()
