"""Outbound events: what the seller's systems hear of the bot's decisions (DESIGN: outbound events).

An event is written in the same transaction as the change it reports, into the outbox under one target,
so it is never lost and never told of a change that did not happen. Its `id` is made once and sent with
every attempt: the receiver deduplicates by it (delivery is at least once). Events of one order share a
stream and leave in the order they were written.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from oms_client.case_rules import CaseAction, CaseKind, CaseState
from oms_client.domain import Case, Platform, Receiver, order_key

# The outbox target outbound events wait under: no alert target can be named so (names are plain words).
EVENTS_TARGET = "events:webhook"
# What of a case's detail an ERP needs to follow it; the customer's own words and pictures stay here.
CASE_FACTS = ("amount", "return_waybill", "return_courier", "replacement_waybill", "auto", "deposit_refund")


@dataclass(frozen=True)
class OutboundEvent:
    id: str
    event: str  # "order.cancelled", "order.address_changed", "shipment.intercept_requested", "case.<state>"
    occurred_at: datetime
    data: dict[str, Any]
    stream: str

    def body(self) -> dict[str, Any]:
        """The JSON object POSTed, as DESIGN gives it."""
        return {"id": self.id, "event": self.event, "occurred_at": self.occurred_at.isoformat(), "data": self.data}


def new_event(event: str, platform: Platform | str, order_no: str, data: dict[str, Any], at: datetime) -> OutboundEvent:
    order = {"platform": str(platform), "order_id": order_no}
    return OutboundEvent(f"evt_{uuid.uuid4().hex}", event, at, order | data, order_key(platform, order_no))


def case_event(case: Case, action: CaseAction, after: CaseState, detail: dict[str, Any], at: datetime) -> OutboundEvent:
    """A case moved: `case.<state>` with what an ERP acts on (a waybill back, a refund's amount)."""
    facts = {key: value for key, value in (case.detail | detail).items() if key in CASE_FACTS}
    data = {
        "case_id": case.id,
        "kind": str(case.kind),
        "state": str(after),
        "previous_state": str(case.state),
        "action": str(action),
        "reason": case.reason,
        **facts,
    }
    return new_event(f"case.{after}", case.platform, case.order_no, data, at)


def filed_event(
    case_id: int, kind: CaseKind, reason: str, platform: Platform, order_no: str, at: datetime
) -> OutboundEvent:
    data = {"case_id": case_id, "kind": str(kind), "state": str(CaseState.REQUESTED), "reason": reason}
    return new_event("case.requested", platform, order_no, data, at)


def receiver_data(receiver: Receiver) -> dict[str, str]:
    return {
        "name": receiver.name,
        "phone": receiver.phone,
        "province": receiver.province,
        "city": receiver.city,
        "district": receiver.district,
        "address": receiver.detail,
    }
