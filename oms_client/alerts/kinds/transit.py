"""Parcels in trouble: shipped orders whose latest tracking event is an exception or a return (critical), or
older than the courier's limit (stalled). Their customers hear of either."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field
from sqlalchemy import and_, case, false, or_, select

from oms_client.alerts.kinds.base import FindingRows, Limits, Scan, ScanInput, order_key
from oms_client.domain import OrderState, TrackingState
from oms_client.sql import models as m
from oms_client.sql.json_text import constant, facts, iso_utc


class TransitLimits(Limits):
    stall_hours: dict[str, float] = Field(default_factory=lambda: {"SF": 36.0, "JD": 36.0})
    default_stall_hours: float = Field(default=48.0, gt=0)


def transit_problems(at: ScanInput) -> FindingRows:
    shipment, order, limits = m.ShipmentRow, m.OrderRow, at.limits
    troubled = shipment.last_event_state.in_([TrackingState.EXCEPTION.value, TrackingState.RETURNED.value])
    silent_since = {
        c: at.now - timedelta(hours=limits.stall_hours.get(c, limits.default_stall_hours)) for c in at.couriers
    }
    stale = or_(false(), *(and_(shipment.courier == c, shipment.last_event_at < t) for c, t in silent_since.items()))
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
            order.state == OrderState.SHIPPED.value,
            or_(troubled, stale),
        )
    )


SCAN = Scan(
    kinds=("transit_stalled", "transit_exception"),
    rows=transit_problems,
    told={"transit_stalled": "parcel", "transit_exception": "parcel"},
)
