"""The after-sales case state machine: which action may move a case of a kind from a state, and where to.

One table for every kind (requested → approved | rejected | need_info) plus what each kind does once
approved: returns wait for the goods to come back, refunds are paid, an address change or a cancellation
is simply done. Anything not in the tables is illegal, so a new action has to be thought through here.
"""

from __future__ import annotations

from enum import StrEnum


class CaseKind(StrEnum):
    RETURN_REFUND = "return_refund"
    EXCHANGE = "exchange"
    REFUND_ONLY = "refund_only"
    CANCEL = "cancel"
    INTERCEPT = "intercept"
    ADDRESS_CHANGE = "address_change"


class CaseState(StrEnum):
    REQUESTED = "requested"
    NEED_INFO = "need_info"
    APPROVED = "approved"
    REJECTED = "rejected"
    GOODS_RECEIVED = "goods_received"
    REFUNDED = "refunded"
    EXCHANGED = "exchanged"
    CLOSED = "closed"


class CaseAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    ASK_INFO = "ask_info"
    PROVIDE_INFO = "provide_info"  # the customer answers a question
    WITHDRAW = "withdraw"  # the customer no longer wants it
    SEND_BACK = "send_back"  # the customer gives the return waybill; the case stays approved
    RECEIVE_GOODS = "receive_goods"
    REFUND = "refund"
    SEND_REPLACEMENT = "send_replacement"
    CLOSE = "close"


class IllegalTransition(Exception):
    """The action does not apply to a case of this kind in this state; the message says which."""


S, A, K = CaseState, CaseAction, CaseKind
# Not yet decided: the same for every kind.
_DECIDING = {
    (S.REQUESTED, A.APPROVE): S.APPROVED,
    (S.REQUESTED, A.REJECT): S.REJECTED,
    (S.REQUESTED, A.ASK_INFO): S.NEED_INFO,
    (S.REQUESTED, A.WITHDRAW): S.CLOSED,
    (S.NEED_INFO, A.PROVIDE_INFO): S.REQUESTED,
    (S.NEED_INFO, A.APPROVE): S.APPROVED,
    (S.NEED_INFO, A.REJECT): S.REJECTED,
    (S.NEED_INFO, A.WITHDRAW): S.CLOSED,
    (S.REJECTED, A.CLOSE): S.CLOSED,
}
_RETURNED_GOODS = {
    (S.APPROVED, A.RECEIVE_GOODS): S.GOODS_RECEIVED,
    (S.APPROVED, A.WITHDRAW): S.CLOSED,  # approved, but the customer keeps the goods after all
    (S.APPROVED, A.SEND_BACK): S.APPROVED,  # recorded (and audited) without deciding anything
}
_AFTER_APPROVAL: dict[CaseKind, dict[tuple[CaseState, CaseAction], CaseState]] = {
    K.RETURN_REFUND: _RETURNED_GOODS | {(S.GOODS_RECEIVED, A.REFUND): S.REFUNDED, (S.REFUNDED, A.CLOSE): S.CLOSED},
    # An exchange approved before shipping (an oversold item's variant switched) is done once approved.
    K.EXCHANGE: _RETURNED_GOODS
    | {
        (S.GOODS_RECEIVED, A.SEND_REPLACEMENT): S.EXCHANGED,
        (S.EXCHANGED, A.CLOSE): S.CLOSED,
        (S.APPROVED, A.CLOSE): S.CLOSED,
    },
    K.REFUND_ONLY: {(S.APPROVED, A.REFUND): S.REFUNDED, (S.REFUNDED, A.CLOSE): S.CLOSED},
    # An unpaid order cancelled, or an address changed, needs nothing more once approved.
    K.CANCEL: {(S.APPROVED, A.REFUND): S.REFUNDED, (S.APPROVED, A.CLOSE): S.CLOSED, (S.REFUNDED, A.CLOSE): S.CLOSED},
    K.INTERCEPT: {
        (S.APPROVED, A.REFUND): S.REFUNDED,
        (S.APPROVED, A.CLOSE): S.CLOSED,
        (S.REFUNDED, A.CLOSE): S.CLOSED,
    },
    K.ADDRESS_CHANGE: {(S.APPROVED, A.CLOSE): S.CLOSED},
}
CUSTOMER_ACTIONS = frozenset({A.PROVIDE_INFO, A.WITHDRAW, A.SEND_BACK})
# A case in these states is finished: a new request of the same kind for the order may be filed.
FINISHED = frozenset({S.REJECTED, S.CLOSED})


def next_state(kind: CaseKind, state: CaseState, action: CaseAction) -> CaseState:
    after = _DECIDING.get((state, action)) or _AFTER_APPROVAL[kind].get((state, action))
    if after is None:
        raise IllegalTransition(f"cannot {action} a {kind} case that is {state}")
    return after


def allowed_actions(kind: CaseKind, state: CaseState) -> list[CaseAction]:
    """What may be done to the case now, in the tables' order (agents' buttons are drawn from this)."""
    table = _DECIDING | _AFTER_APPROVAL[kind]
    return [action for (at, action) in table if at is state]
