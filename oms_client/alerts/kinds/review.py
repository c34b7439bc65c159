"""Orders the automatic review holds for a person: each an alert until it is released or cancelled, critical
once the time the customer was promised has passed. Customers hear of a hold when they ask, not unasked."""

from __future__ import annotations

from sqlalchemy import case, select

from oms_client.alerts.kinds.base import FindingRows, Scan, ScanInput, order_key
from oms_client.domain import OrderState
from oms_client.sql import models as m
from oms_client.sql.json_text import constant, facts, iso_utc


def held_orders(at: ScanInput) -> FindingRows:
    order = m.OrderRow
    return select(
        constant("order_held"),
        order_key(order),
        case((order.hold_until < at.now, constant("critical")), else_=constant("warning")),
        facts(reason=order.hold_reason, since=iso_utc(order.held_since), until=iso_utc(order.hold_until)),
    ).where(order.held_since.is_not(None), order.state == OrderState.PAID.value)


SCAN = Scan(kinds=("order_held",), rows=held_orders)
