"""Parcels in trouble: shipped orders whose latest tracking event is an exception or a return (critical), or
older than the courier's limit (stalled); and, before either, parcels on their way longer than nine in ten of
their route's parcels took (predicted late, from the learned transit times). Their customers hear of each."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import Field
from sqlalchemy import ColumnElement, and_, case, false, func, or_, select
from sqlalchemy.orm import aliased

from oms_client.alerts.kinds.base import FindingRows, Limits, Scan, ScanInput, order_key
from oms_client.domain import ON_THE_WAY, TrackingState
from oms_client.sql import models as m
from oms_client.sql.json_text import constant, facts, iso_utc
from oms_client.sql.spelled import epoch_seconds, whole


class TransitLimits(Limits):
    stall_hours: dict[str, float] = Field(default_factory=lambda: {"SF": 36.0, "JD": 36.0})
    default_stall_hours: float = Field(default=48.0, gt=0)


TROUBLED = (TrackingState.EXCEPTION.value, TrackingState.RETURNED.value)


def stale(at: ScanInput) -> ColumnElement[bool]:
    """The parcel's latest scan is older than its courier's stall limit."""
    shipment, limits = m.ShipmentRow, at.limits
    silent_since = {
        c: at.now - timedelta(hours=limits.stall_hours.get(c, limits.default_stall_hours)) for c in at.couriers
    }
    return or_(false(), *(and_(shipment.courier == c, shipment.last_event_at < t) for c, t in silent_since.items()))


def transit_problems(at: ScanInput) -> FindingRows:
    shipment, order = m.ShipmentRow, m.OrderRow
    troubled = shipment.last_event_state.in_(TROUBLED)
    return (
        select(
            case((troubled, constant("transit_exception")), else_=constant("transit_stalled")),
            shipment.tracking_no,
            case((troubled, constant("critical")), else_=constant("warning")),
            facts(
                order=order_key(order),
                courier=shipment.courier,
                last_event=shipment.last_event_text,
                last_event_at=iso_utc(shipment.last_event_at),
            ),
        )
        .join(order, order.id == shipment.order_id)
        .where(
            shipment.last_event_state != TrackingState.SIGNED.value,  # lets the partial index skip delivered parcels
            order.state.in_(ON_THE_WAY),
            or_(troubled, stale(at)),
        )
    )


def predicted_late(at: ScanInput) -> FindingRows:
    """Still moving (not stalled, not failed) but past its route's 90th percentile: the route's own, or its
    courier's, or the shop's, as the answers' ETA reads them."""
    shipment, order, learned = m.ShipmentRow, m.OrderRow, m.TransitTimeRow
    route, by_courier, overall = aliased(learned), aliased(learned), aliased(learned)
    usual_hours = func.coalesce(route.p90_hours, by_courier.p90_hours, overall.p90_hours)
    on_its_way = (at.now.timestamp() - epoch_seconds(shipment.shipped_at)) / 3600.0
    return (
        select(
            constant("transit_predicted_late"),
            shipment.tracking_no,
            constant("warning"),
            facts(
                order=order_key(order),
                courier=shipment.courier,
                shipped_at=iso_utc(shipment.shipped_at),
                usual_hours=whole(usual_hours + 0.5),
                last_event=shipment.last_event_text,
                last_event_at=iso_utc(shipment.last_event_at),
            ),
        )
        .join(order, order.id == shipment.order_id)
        .outerjoin(route, _learned(route, shipment.courier, shipment.warehouse, order.receiver_province))
        .outerjoin(by_courier, _learned(by_courier, shipment.courier, "", ""))
        .outerjoin(overall, _learned(overall, "", "", ""))
        .where(
            shipment.last_event_state != TrackingState.SIGNED.value,
            shipment.last_event_state.not_in(TROUBLED),
            order.state.in_(ON_THE_WAY),
            ~stale(at),
            on_its_way > usual_hours,
        )
    )


def _learned(row: type[m.TransitTimeRow], courier: Any, origin: Any, destination: Any) -> ColumnElement[bool]:
    return and_(row.courier == courier, row.origin == origin, row.destination == destination)


SCAN = Scan(
    kinds=("transit_stalled", "transit_exception"),
    rows=transit_problems,
    told={"transit_stalled": "parcel", "transit_exception": "parcel"},
)
PREDICTED = Scan(kinds=("transit_predicted_late",), rows=predicted_late, told={"transit_predicted_late": "parcel"})
