"""The shop's after-sales rules applied to one order: which case to file, or why not and what instead."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from bot.shop_config import load_shop_config
from handlers.aftersales.policy import AfterSalesPolicy, Instead, Reason, Verdict, judge
from oms_client.case_rules import CaseKind
from oms_client.domain import (
    Courier,
    Order,
    OrderState,
    Platform,
    Receiver,
    Shipment,
    TrackingEvent,
    TrackingState,
)
from tests.conftest import NOW
from tests.unit.test_shop_config import EXAMPLE

POLICY = AfterSalesPolicy()
RECEIVER = Receiver("张三", "13812345678", "浙江省", "杭州市", "西湖区", "文三路 1 号")


def order(state: OrderState, signed_days_ago: float | None = None, courier: Courier = Courier.SF) -> Order:
    events = ()
    if signed_days_ago is not None:
        events = (TrackingEvent(NOW - timedelta(days=signed_days_ago), "杭州", "已签收", TrackingState.SIGNED),)
    shipments = ()
    if state not in (OrderState.PENDING_PAYMENT, OrderState.PAID):
        shipments = (Shipment(courier, "SF1234567890123", NOW - timedelta(days=12), None, events),)
    return Order(
        Platform.TMALL, "1001", state, 1, NOW - timedelta(days=14), None, None, Decimal("99"), RECEIVER, (), shipments
    )


def refused(why: str, instead: Instead) -> Verdict:
    return Verdict(refusal=why, instead=instead)


@pytest.mark.parametrize(
    "request_, state, signed, reason, verdict",
    [
        ("cancel_order", OrderState.PENDING_PAYMENT, None, None, Verdict(CaseKind.CANCEL, auto_approve=True)),
        ("cancel_order", OrderState.PAID, None, None, Verdict(CaseKind.CANCEL, auto_approve=True)),
        ("cancel_order", OrderState.SHIPPED, None, None, Verdict(CaseKind.INTERCEPT)),
        ("cancel_order", OrderState.DELIVERED, 1, None, refused("already_delivered", Instead.RETURN_AFTER_DELIVERY)),
        ("change_address", OrderState.PAID, None, None, Verdict(CaseKind.ADDRESS_CHANGE, auto_approve=True)),
        ("change_address", OrderState.SHIPPED, None, None, refused("already_shipped", Instead.ASK_COURIER)),
        ("return_refund", OrderState.DELIVERED, 3, Reason.NO_REASON, Verdict(CaseKind.RETURN_REFUND)),
        ("return_refund", OrderState.DELIVERED, 8, Reason.NO_REASON, refused("window_passed", Instead.TALK_TO_PERSON)),
        ("return_refund", OrderState.COMPLETED, 8, Reason.QUALITY, Verdict(CaseKind.RETURN_REFUND, needs_photos=True)),
        ("return_refund", OrderState.SHIPPED, None, None, refused("not_delivered", Instead.REFUSE_DELIVERY)),
        ("return_refund", OrderState.PAID, None, None, refused("not_shipped", Instead.CANCEL_ORDER)),
        ("exchange", OrderState.DELIVERED, 14, Reason.WRONG_SIZE, Verdict(CaseKind.EXCHANGE)),
        ("exchange", OrderState.DELIVERED, 16, Reason.WRONG_SIZE, refused("window_passed", Instead.TALK_TO_PERSON)),
        ("refund_only", OrderState.SHIPPED, None, Reason.NOT_RECEIVED, Verdict(CaseKind.REFUND_ONLY)),
        ("refund_only", OrderState.DELIVERED, 1, Reason.DAMAGED, Verdict(CaseKind.REFUND_ONLY, needs_photos=True)),
        (
            "refund_only",
            OrderState.DELIVERED,
            1,
            Reason.WRONG_SIZE,
            refused("refund_only_reason", Instead.RETURN_AFTER_DELIVERY),
        ),
        ("exchange", OrderState.CANCELLED, None, None, refused("order_finished", Instead.TALK_TO_PERSON)),
    ],
)
def test_default_rules(
    request_: str, state: OrderState, signed: float | None, reason: Reason | None, verdict: Verdict
) -> None:
    assert judge(request_, order(state, signed), reason, POLICY, NOW) == verdict


def test_a_courier_the_shop_cannot_intercept_with_means_refusing_delivery_instead() -> None:
    policy = replace_policy(intercept_couriers=frozenset({Courier.SF}))
    shipped = order(OrderState.SHIPPED, courier=Courier.YUNDA)
    assert judge("cancel_order", shipped, None, policy, NOW) == refused("cannot_intercept", Instead.REFUSE_DELIVERY)


def test_a_shop_that_reviews_every_cancellation_gets_no_auto_approval() -> None:
    policy = replace_policy(auto_approve_cancel=False)
    assert judge("cancel_order", order(OrderState.PAID), None, policy, NOW) == Verdict(CaseKind.CANCEL)


def test_the_example_configuration_spells_out_the_defaults_and_a_return_address() -> None:
    example = load_shop_config(EXAMPLE).aftersales
    assert example.return_address.startswith("浙江省杭州市")
    assert example.model_copy(update={"return_address": ""}) == POLICY


def replace_policy(**changes: object) -> AfterSalesPolicy:
    return POLICY.model_copy(update=changes)
