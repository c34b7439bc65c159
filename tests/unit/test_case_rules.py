"""The after-sales state machine as a table: what each kind may go through, and what it may not."""

from __future__ import annotations

import pytest

from oms_client.case_rules import (
    CaseAction,
    CaseKind,
    CaseState,
    IllegalTransition,
    allowed_actions,
    next_state,
)

A, K, S = CaseAction, CaseKind, CaseState


def walk(kind: CaseKind, *actions: CaseAction) -> list[CaseState]:
    state, seen = S.REQUESTED, []
    for action in actions:
        state = next_state(kind, state, action)
        seen.append(state)
    return seen


def test_a_return_is_approved_waits_for_the_goods_is_refunded_and_closed() -> None:
    assert walk(K.RETURN_REFUND, A.APPROVE, A.RECEIVE_GOODS, A.REFUND, A.CLOSE) == [
        S.APPROVED,
        S.GOODS_RECEIVED,
        S.REFUNDED,
        S.CLOSED,
    ]


def test_an_exchange_sends_a_replacement_instead_of_money() -> None:
    assert (
        walk(K.EXCHANGE, A.ASK_INFO, A.PROVIDE_INFO, A.APPROVE, A.RECEIVE_GOODS, A.SEND_REPLACEMENT)[-1] is S.EXCHANGED
    )
    with pytest.raises(IllegalTransition):
        walk(K.EXCHANGE, A.APPROVE, A.RECEIVE_GOODS, A.REFUND)


@pytest.mark.parametrize("kind", [K.REFUND_ONLY, K.CANCEL, K.INTERCEPT, K.ADDRESS_CHANGE])
def test_requests_without_goods_coming_back_cannot_wait_for_them(kind: CaseKind) -> None:
    with pytest.raises(IllegalTransition, match="receive_goods"):
        walk(kind, A.APPROVE, A.RECEIVE_GOODS)


def test_a_decided_case_cannot_be_decided_again_nor_withdrawn_once_goods_arrived() -> None:
    for illegal in ([A.REJECT, A.APPROVE], [A.APPROVE, A.REJECT], [A.APPROVE, A.RECEIVE_GOODS, A.WITHDRAW]):
        with pytest.raises(IllegalTransition):
            walk(K.RETURN_REFUND, *illegal)


def test_a_closed_case_allows_nothing() -> None:
    for kind in CaseKind:
        assert allowed_actions(kind, S.CLOSED) == []


@pytest.mark.parametrize("kind", list(CaseKind))
def test_allowed_actions_are_exactly_the_legal_ones(kind: CaseKind) -> None:
    for state in CaseState:
        allowed = set(allowed_actions(kind, state))
        for action in CaseAction:
            if action in allowed:
                next_state(kind, state, action)
            else:
                with pytest.raises(IllegalTransition):
                    next_state(kind, state, action)


@pytest.mark.parametrize("kind", [K.RETURN_REFUND, K.EXCHANGE])
def test_a_return_waybill_is_recorded_without_deciding_anything(kind: CaseKind) -> None:
    assert walk(kind, A.APPROVE, A.SEND_BACK, A.SEND_BACK, A.RECEIVE_GOODS)[1:] == [
        S.APPROVED,
        S.APPROVED,
        S.GOODS_RECEIVED,
    ]
    with pytest.raises(IllegalTransition):
        walk(kind, A.SEND_BACK)
