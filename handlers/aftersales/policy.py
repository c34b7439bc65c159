"""The shop's after-sales rules (`[aftersales]` in XIAOER_SHOP_CONFIG) and what they say about one request.

`judge` turns what the customer asked for and the order's state into the case to file, or a refusal that
names why and what the customer can do instead, so the dialogue never has to reason about policy itself.
Windows count from delivery (the parcel's signed event), as the platforms' own rules do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from oms_client.case_rules import CaseKind
from oms_client.domain import BEFORE_BALANCE, UNSHIPPED, Courier, Order, OrderLine, OrderState, TrackingState


class Reason(StrEnum):
    """Reasons offered as buttons; the dialogue maps the customer's own words onto them."""

    NO_REASON = "no_reason"  # 七天无理由
    WRONG_SIZE = "wrong_size"
    QUALITY = "quality"
    DAMAGED = "damaged"
    WRONG_ITEM = "wrong_item"
    MISSING = "missing"
    NOT_RECEIVED = "not_received"
    NOT_AS_DESCRIBED = "not_as_described"


DEFECTS = frozenset({Reason.QUALITY, Reason.DAMAGED, Reason.WRONG_ITEM, Reason.MISSING, Reason.NOT_AS_DESCRIBED})


class AfterSalesPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    return_days: int = Field(default=7, ge=0, le=365)  # no-reason returns, from delivery
    defect_days: int = Field(default=15, ge=0, le=365)  # returns for a fault of ours
    exchange_days: int = Field(default=15, ge=0, le=365)
    photo_reasons: frozenset[Reason] = frozenset(DEFECTS - {Reason.MISSING})
    refund_only_reasons: frozenset[Reason] = frozenset({Reason.NOT_RECEIVED, Reason.MISSING, Reason.DAMAGED})
    # Approved without an agent: cancelling before shipping, and a new address before shipping.
    auto_approve_cancel: bool = True
    auto_approve_address_change: bool = True
    # An oversold item switched, before shipping, to a variant with stock to spare (the oversell loop).
    auto_approve_switch: bool = True
    intercept_couriers: frozenset[Courier] = frozenset(Courier)
    # A presale order cancelled before its balance: whether the deposit (定金) goes back to the buyer. Most shops
    # keep it, as their presale listing says; the customer is told which before confirming.
    presale_deposit_refundable: bool = False
    # Where approved returns and exchanges are sent; agents give it by hand when it is left empty.
    return_address: str = Field(default="", max_length=200)


class Instead(StrEnum):
    """What a refused customer can do instead; every refusal names one."""

    RETURN_AFTER_DELIVERY = "return_after_delivery"
    REFUSE_DELIVERY = "refuse_delivery"
    CANCEL_ORDER = "cancel_order"
    ASK_COURIER = "ask_courier"
    TALK_TO_PERSON = "talk_to_person"


@dataclass(frozen=True)
class Verdict:
    """Either a case to file (`kind`) or a refusal (`refusal` and `instead`)."""

    kind: CaseKind | None = None
    auto_approve: bool = False
    needs_photos: bool = False
    refusal: str | None = None
    instead: Instead | None = None


def refuse(why: str, instead: Instead) -> Verdict:
    return Verdict(refusal=why, instead=instead)


DELIVERED = {OrderState.DELIVERED, OrderState.COMPLETED}
FINISHED = {OrderState.CANCELLED, OrderState.CLOSED}


def judge(request: str, order: Order, reason: Reason | None, policy: AfterSalesPolicy, now: datetime) -> Verdict:
    """`request` is the intent: return_refund, exchange, refund_only, cancel_order or change_address."""
    if order.state in FINISHED:
        return refuse("order_finished", Instead.TALK_TO_PERSON)
    if request == "cancel_order":
        return _cancel(order, policy)
    if request == "change_address":
        if order.state in UNSHIPPED:
            return Verdict(CaseKind.ADDRESS_CHANGE, auto_approve=policy.auto_approve_address_change)
        return refuse("already_shipped", Instead.ASK_COURIER)
    if request == "refund_only":
        return _refund_only(order, reason, policy)
    return _goods_back(request, order, reason, policy, now)


def _cancel(order: Order, policy: AfterSalesPolicy) -> Verdict:
    if order.state in UNSHIPPED:
        return Verdict(CaseKind.CANCEL, auto_approve=policy.auto_approve_cancel)
    if order.state in DELIVERED:
        return refuse("already_delivered", Instead.RETURN_AFTER_DELIVERY)
    couriers = {shipment.courier for shipment in order.shipments}
    if couriers and couriers <= policy.intercept_couriers:
        return Verdict(CaseKind.INTERCEPT)
    return refuse("cannot_intercept", Instead.REFUSE_DELIVERY)


def _refund_only(order: Order, reason: Reason | None, policy: AfterSalesPolicy) -> Verdict:
    if order.state in UNSHIPPED:
        return refuse("not_shipped", Instead.CANCEL_ORDER)
    if reason is not None and reason not in policy.refund_only_reasons:
        return refuse("refund_only_reason", Instead.RETURN_AFTER_DELIVERY)
    return Verdict(CaseKind.REFUND_ONLY, needs_photos=reason in policy.photo_reasons)


def _goods_back(request: str, order: Order, reason: Reason | None, policy: AfterSalesPolicy, now: datetime) -> Verdict:
    if order.state in UNSHIPPED:
        return refuse("not_shipped", Instead.CANCEL_ORDER)
    delivered = delivered_at(order)
    # An order shipped in several parcels (拆单) may send back what came in a signed one while the rest travel.
    if delivered is None or (order.state not in DELIVERED and not order.split):
        return refuse("not_delivered", Instead.REFUSE_DELIVERY)
    if request == "exchange":
        days, kind = policy.exchange_days, CaseKind.EXCHANGE
    else:
        days, kind = (policy.defect_days if reason in DEFECTS else policy.return_days), CaseKind.RETURN_REFUND
    if now - delivered > timedelta(days=days):
        return refuse("window_passed", Instead.TALK_TO_PERSON)
    return Verdict(kind, needs_photos=reason in policy.photo_reasons)


def deposit_refund(order: Order, policy: AfterSalesPolicy) -> bool | None:
    """Whether cancelling gives the deposit back: None unless it is a presale order whose balance is unpaid."""
    if order.presale is None or order.state not in BEFORE_BALANCE:
        return None
    return policy.presale_deposit_refundable


def returnable(order: Order) -> tuple[OrderLine, ...]:
    """The lines a return or exchange may name: of an order shipped in several parcels, those already signed for."""
    if not order.split:
        return order.lines
    return tuple(line for shipment in order.shipments if shipment.signed for line in shipment.lines)


def delivered_at(order: Order) -> datetime | None:
    """When the parcel was signed for; the last of them when the order came in several."""
    signed = [e.at for s in order.shipments for e in s.events if e.state is TrackingState.SIGNED]
    return max(signed, default=None)
