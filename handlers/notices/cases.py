"""What a customer is told when someone else moves their case: every decision and every step after it.

Moves the customer made themselves (withdrawing, giving a waybill or an answer) and the bot's own instant
approvals were answered in the same turn, so they are not told twice.
"""

from __future__ import annotations

from typing import Any

from handlers.aftersales.case_view import GOODS_BACK, CaseView
from handlers.messages import Reply
from handlers.texts import echo_button, say
from oms_client.case_rules import CaseAction
from oms_client.domain import Case

A = CaseAction
ANSWERED_IN_CHAT = frozenset({A.WITHDRAW, A.SEND_BACK, A.PROVIDE_INFO})


def case_notice(case: Case, action: CaseAction, detail: dict[str, Any], view: CaseView) -> Reply | None:
    """The message for one move of `case` (as it is now), or None when the customer need not hear of it."""
    if action in ANSWERED_IN_CHAT or (action is A.APPROVE and detail.get("auto")):
        return None
    lang = view.lang
    names = {"request": view.kind(case), "case_id": case.id, "order_no": case.order_no}
    if action is A.APPROVE:
        return Reply(_approved(case, view, names))
    if action is A.REJECT:
        text = say("as_tell_rejected", lang, why=detail.get("why", "-"), **names)
        return Reply(text, (echo_button("btn_human", lang),))
    if action is A.ASK_INFO:
        return Reply(say("as_tell_need_info", lang, question=detail.get("question", "-"), **names))
    if action is A.RECEIVE_GOODS:
        return Reply(say("as_tell_goods_received", lang, **names))
    if action is A.REFUND:
        amount = f" ¥{detail['amount']}" if detail.get("amount") else ""
        return Reply(say("as_tell_refunded", lang, amount=amount, **names))
    if action is A.SEND_REPLACEMENT:
        waybill = f"：{detail['replacement_waybill']}" if detail.get("replacement_waybill") else ""
        return Reply(say("as_tell_exchanged", lang, waybill=waybill, **names))
    return Reply(say("as_tell_closed", lang, **names))


def _approved(case: Case, view: CaseView, names: dict[str, Any]) -> str:
    if case.kind in GOODS_BACK:
        address = view.return_address or say("as_return_address_unknown", view.lang)
        return say("as_tell_approved_goods", view.lang, address=address, **names)
    return say("as_tell_approved", view.lang, next=say(f"as_next_{case.kind}", view.lang), **names)
