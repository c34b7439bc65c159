"""The router table: which skill takes each intent the NLU knows, how a clarifying button offers it, and which
of a customer's orders it most likely means when they name none.

Adding an intent: its training phrases in `nlu`, its line here, and what its skill needs (an order question's
answer in `handlers/order_answers`; an after-sales request's rules in `handlers/aftersales/policy` and wording in
`handlers/aftersales/texts`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from handlers import order_answers
from oms_client.domain import ON_THE_WAY, TO_SHIP, Order


class Skill(StrEnum):
    ORDER = "order"  # a question about one order: the user proves it, then its answer is given
    REQUEST = "request"  # an after-sales request: a draft, the order it is about, then a case
    CASES = "cases"  # the progress of cases already filed
    PERSON = "person"  # hands the chat to a person
    SMALL_TALK = "small_talk"  # greetings and thanks
    NONE = "none"  # nothing the bot can act on


@dataclass(frozen=True)
class Route:
    skill: Skill
    choice: dict[str, str] | None = None  # what a clarifying button says (and sends back), per language
    answer: order_answers.Answer | None = None  # an order question's answer
    fits: Callable[[Order], bool] = lambda order: True  # which unnamed order it means (requests ask the policy)
    # Acted on only from this confidence (above the general clarifying line): for what costs a person's time.
    sure_at: float = 0.0


ROUTES: dict[str, Route] = {
    "order_status": Route(Skill.ORDER, {"zh": "查订单状态", "en": "Check my order"}, order_answers.details),
    "urge_shipping": Route(
        Skill.ORDER,
        {"zh": "催发货", "en": "Hurry my shipment"},
        order_answers.urge,
        lambda order: order.state in TO_SHIP,
    ),
    "logistics": Route(
        Skill.ORDER,
        {"zh": "查物流", "en": "Track my parcel"},
        order_answers.tracking,
        lambda order: order.state in ON_THE_WAY,
    ),
    "return_refund": Route(Skill.REQUEST, {"zh": "我要退货退款", "en": "Return for a refund"}),
    "exchange": Route(Skill.REQUEST, {"zh": "我要换货", "en": "Exchange an item"}),
    "refund_only": Route(Skill.REQUEST, {"zh": "申请仅退款", "en": "Refund only, no return"}),
    "cancel_order": Route(Skill.REQUEST, {"zh": "取消订单", "en": "Cancel my order"}),
    "change_address": Route(Skill.REQUEST, {"zh": "修改收货地址", "en": "Change the delivery address"}),
    "progress": Route(Skill.CASES),  # not an NLU intent: "我的售后进度" is read by the turn itself
    "human_agent": Route(Skill.PERSON, {"zh": "转人工", "en": "Talk to a person"}),
    # A complaint hands the chat to a person with an apology; vague fragments ("货的事" at 0.55) were read as one.
    "complaint": Route(Skill.PERSON, {"zh": "我要投诉", "en": "Make a complaint"}, sure_at=0.7),
    "greeting": Route(Skill.SMALL_TALK),
    "other": Route(Skill.NONE),
}


def route(intent: str) -> Route:
    """An intent this table does not know (a newer model's) is one the bot cannot act on."""
    return ROUTES.get(intent, ROUTES["other"])


def intents_of(*skills: Skill) -> tuple[str, ...]:
    return tuple(intent for intent, known in ROUTES.items() if known.skill in skills)
