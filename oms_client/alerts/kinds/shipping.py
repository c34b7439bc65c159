"""Shipping late: paid orders past their promised ship-by time, and those about to be (per platform SLA).
A customer hears of their own late order; of one merely due soon, only staff do. A held order is not late: its
promise starts again when a person releases it."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field
from sqlalchemy import and_, case, false, or_, select

from oms_client.alerts.kinds.base import FindingRows, Limits, Scan, ScanInput, order_key
from oms_client.domain import TO_SHIP
from oms_client.sql import models as m
from oms_client.sql.json_text import constant, facts, iso_utc


class ShippingLimits(Limits):
    ship_sla_hours: dict[str, float] = Field(default_factory=lambda: {"jd": 24.0})
    default_ship_sla_hours: float = Field(default=48.0, gt=0)
    ship_warn_ratio: float = Field(default=0.8, gt=0, lt=1)  # warn once this share of the window has passed
    ship_critical_late_hours: float = Field(default=24.0, ge=0)

    def ship_within(self, platform: str) -> timedelta:
        """The platform's promise from payment to dispatch: what an order that names none was promised."""
        return timedelta(hours=self.ship_sla_hours.get(platform, self.default_ship_sla_hours))


def ship_overdue(at: ScanInput) -> FindingRows:
    """A day late (by default) is critical."""
    order, limits = m.OrderRow, at.limits
    critical_since = at.now - timedelta(hours=limits.ship_critical_late_hours)
    return select(
        constant("ship_overdue"),
        order_key(order),
        case((order.promised_ship_by <= critical_since, constant("critical")), else_=constant("warning")),
        facts(promised_ship_by=iso_utc(order.promised_ship_by)),
    ).where(order.state.in_(TO_SHIP), order.held_since.is_(None), order.promised_ship_by < at.now)


def ship_due_soon(at: ScanInput) -> FindingRows:
    """Still within the promise, with most of the window gone."""
    order, limits = m.OrderRow, at.limits
    window_left = {
        p: limits.ship_sla_hours.get(p, limits.default_ship_sla_hours) * (1 - limits.ship_warn_ratio)
        for p in at.platforms
    }
    near = or_(
        false(),
        *(
            and_(order.platform == p, order.promised_ship_by <= at.now + timedelta(hours=h))
            for p, h in window_left.items()
        ),
    )
    return select(
        constant("ship_due_soon"),
        order_key(order),
        constant("info"),
        facts(promised_ship_by=iso_utc(order.promised_ship_by)),
    ).where(order.state.in_(TO_SHIP), order.held_since.is_(None), order.promised_ship_by >= at.now, near)


OVERDUE = Scan(kinds=("ship_overdue",), rows=ship_overdue, told={"ship_overdue": "order"})
DUE_SOON = Scan(kinds=("ship_due_soon",), rows=ship_due_soon)
