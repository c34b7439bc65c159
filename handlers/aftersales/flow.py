"""After-sales requests in chat: from "我要退货" to a filed case, asking only for what is still missing.

The order is found and its owner proved by the order dialogue; from there this flow checks the request
against the shop's policy before asking anything (a refusal after five questions is the worst answer),
asks for items, reason, size, photos or address as the request needs, repeats the request, and files it
only when the customer confirms. A refusal always says why and what the customer can do instead.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.aftersales.case_view import GOODS_BACK, CaseView
from handlers.aftersales.draft import (
    GOODS_REQUESTS,
    MAX_PHOTOS,
    Draft,
    is_leaving,
    is_yes,
    looks_like_address,
    read_items,
    read_reason,
)
from handlers.aftersales.policy import (
    DEFECTS,
    AfterSalesPolicy,
    Instead,
    Reason,
    Verdict,
    deposit_refund,
    judge,
    returnable,
)
from handlers.aftersales.texts import REASON_NAMES, REQUEST_NAMES
from handlers.intents import Skill, route
from handlers.messages import Button, Reply, picture_refs
from handlers.state import ConversationState
from handlers.texts import COURIER_NAMES, PLATFORM_NAMES, STATE_NAMES, echo_button, name_of, say
from handlers.turn import Turn
from nlu.slots import courier_of_waybill
from oms_client.case_rules import CaseAction, CaseKind, CaseState
from oms_client.domain import Case, CaseEffectRefused, DuplicateCase, Order, StaleCase
from oms_client.proofs import Proof
from oms_client.store import ChatUser, OrderStore

# The reasons offered as buttons for each request; the customer may still type any other.
REASON_CHOICES: dict[str, tuple[Reason, ...]] = {
    "return_refund": tuple(r for r in Reason if r is not Reason.NOT_RECEIVED),
    "exchange": (Reason.WRONG_SIZE, Reason.QUALITY, Reason.DAMAGED, Reason.WRONG_ITEM, Reason.NOT_AS_DESCRIBED),
}
# Steps whose answer is free text: a clear question about something else leaves the request instead.
FREE_TEXT_STEPS = ("attribute", "address")
MISSES_BEFORE_PERSON = 2


class AfterSales:
    def __init__(self, store: OrderStore, policy: AfterSalesPolicy, tz: ZoneInfo) -> None:
        self.store, self.policy, self.tz = store, policy, tz

    def eligible(self, order: Order, request: str, now: datetime) -> bool:
        """Whether the request may be granted for the order, as far as is known before any question."""
        verdict = judge(request, order, None, self.policy, now)
        return verdict.refusal is None or self._reason_may_help(request, verdict)

    def _reason_may_help(self, request: str, verdict: Verdict) -> bool:
        """Past the no-reason window a defect may still be within the longer one: ask before refusing."""
        longer = self.policy.defect_days > self.policy.return_days
        return verdict.refusal == "window_passed" and request == "return_refund" and longer

    async def begin(self, state: ConversationState, turn: Turn, order: Order, request: str) -> list[Reply]:
        """The order is known and proved: check the request against it, then ask what is missing."""
        draft = Draft.from_dict(state.draft) if state.draft else Draft(request)
        draft.request, draft.order_no, draft.platform = request, order.order_no, order.platform
        lines = returnable(order) if request in GOODS_REQUESTS else order.lines
        if len(lines) == 1 or request not in GOODS_REQUESTS:
            draft.skus = [line.sku for line in lines]
        verdict = judge(request, order, _reason(draft), self.policy, turn.now)
        if verdict.refusal and not (draft.reason is None and self._reason_may_help(request, verdict)):
            return self._refuse(state, draft, order, verdict)
        existing = await self.store.open_case(order.platform, order.order_no, verdict.kind) if verdict.kind else None
        if existing is not None:
            state.draft = None
            return [self._duplicate(existing, state.lang)]
        return self._next(state, draft, order, turn)

    async def carry_on(self, state: ConversationState, turn: Turn) -> list[Reply] | None:
        """The next answer within a request; None when the message is not for the flow (the dialogue takes it)."""
        draft = Draft.from_dict(state.draft or {})
        if is_leaving(turn.text):
            state.draft = None
            return [Reply(say("as_left", state.lang))]
        if draft.order_no is None:
            return None  # the order dialogue is still finding or proving the order
        order = await self._order(draft)
        if order is None or (draft.step in FREE_TEXT_STEPS and _other_question(turn, draft)):
            state.draft = None
            return None
        if not self._read(draft, order, turn):
            if draft.step not in FREE_TEXT_STEPS and _other_question(turn, draft):
                state.draft = None
                return None
            return self._again(state, draft, order)
        draft.misses = 0
        if draft.step == "confirm" and is_yes(turn.text):
            return await self._file(state, draft, order, turn)
        return self._next(state, draft, order, turn)

    def _read(self, draft: Draft, order: Order, turn: Turn) -> bool:
        """Take the answer into the draft; False when it answers nothing the request still needs.

        Photos and a reason are taken whenever they come: customers send them before they are asked.
        """
        images = picture_refs(turn.attachments)
        if images and draft.request in GOODS_REQUESTS:
            draft.photos = (draft.photos + list(images))[:MAX_PHOTOS]
            return True
        text = turn.text.strip()
        if self._read_step(draft, order, text):
            return True
        reason = read_reason(text) if draft.request in GOODS_REQUESTS and draft.reason is None else None
        if reason is not None:
            draft.reason, draft.words = reason, text[:200]
        return reason is not None

    def _read_step(self, draft: Draft, order: Order, text: str) -> bool:
        """The answer to the step's own question (the reason step is read by `_read` whatever the step)."""
        if draft.step == "items":
            draft.skus = read_items(text, returnable(order)) or []
            return bool(draft.skus)
        if draft.step == "attribute" and 0 < len(text) <= 30:
            draft.attribute = text
            return True
        if draft.step == "address" and looks_like_address(text):
            draft.address = text
            return True
        return draft.step == "confirm" and is_yes(text)

    def _next(self, state: ConversationState, draft: Draft, order: Order, turn: Turn) -> list[Reply]:
        """Ask for the first thing still missing; once the reason is known, check the request again."""
        verdict = judge(draft.request, order, _reason(draft), self.policy, turn.now)
        if draft.reason is not None and verdict.refusal:
            return self._refuse(state, draft, order, verdict)
        draft.step = _missing(draft, verdict)
        state.draft = draft.to_dict()
        state.order_no = order.order_no
        state.settle()
        return [self._question(draft, order, verdict, state.lang, turn)]

    def _question(self, draft: Draft, order: Order, verdict: Verdict, lang: str, turn: Turn) -> Reply:
        question = self._ask(draft, order, verdict, lang)
        if not turn.attachments:
            return question
        received = say("as_photo_received", lang, count=len(draft.photos))
        return Reply(f"{received}\n{question.text}", question.buttons)

    def _ask(self, draft: Draft, order: Order, verdict: Verdict, lang: str) -> Reply:
        request = name_of(REQUEST_NAMES, draft.request, lang)
        if draft.step == "items":
            items = "\n".join(f"{i}. {line.title} ×{line.qty}" for i, line in enumerate(returnable(order), start=1))
            text = say("as_ask_items", lang, order_no=order.order_no, request=request, items=items)
            return Reply(text, self._item_buttons(order, lang))
        if draft.step == "reason":
            return Reply(say("as_ask_reason", lang, request=request), self._reason_buttons(draft.request, lang))
        if draft.step == "attribute":
            return Reply(say("as_ask_attribute", lang))
        if draft.step == "photos":
            return Reply(say("as_ask_photos", lang, limit=MAX_PHOTOS))
        if draft.step == "address":
            return Reply(say("as_ask_address", lang))
        summary = self._summary(draft, order, verdict, lang)
        return Reply(say("as_confirm", lang, summary=summary), self._confirm_buttons(lang))

    def _again(self, state: ConversationState, draft: Draft, order: Order) -> list[Reply]:
        """An answer the step cannot use: say what is wanted; after two, offer a person as well."""
        draft.misses += 1
        state.draft = draft.to_dict()
        lang = state.lang
        hints = {
            "items": (say("as_items_hint", lang), self._item_buttons(order, lang)),
            "reason": (say("as_reason_hint", lang), self._reason_buttons(draft.request, lang)),
            "attribute": (say("as_ask_attribute", lang), ()),
            "photos": (say("as_photo_needed", lang), ()),
            "address": (say("as_address_hint", lang), ()),
            "confirm": (say("as_confirm_hint", lang), self._confirm_buttons(lang)),
        }
        text, buttons = hints[draft.step]
        if draft.photos and len(draft.photos) >= MAX_PHOTOS and draft.step == "confirm":
            text = say("as_photo_limit", lang, limit=MAX_PHOTOS)
        if draft.misses >= MISSES_BEFORE_PERSON or draft.step == "photos":
            buttons = (*buttons, echo_button("btn_human", lang))
        return [Reply(text, tuple(buttons))]

    async def _file(self, state: ConversationState, draft: Draft, order: Order, turn: Turn) -> list[Reply]:
        verdict = judge(draft.request, order, _reason(draft), self.policy, turn.now)
        state.draft = None
        if verdict.kind is None:
            return self._refuse(state, draft, order, verdict)
        detail = _detail(draft, order, state.lang)
        refund = deposit_refund(order, self.policy) if verdict.kind is CaseKind.CANCEL else None
        if refund is not None:
            detail["deposit_refund"] = refund  # what the customer was told, for the agent and the seller's ERP
        try:
            case = await self.store.file_case(
                order.platform, order.order_no, verdict.kind, draft.reason or "", detail, turn.user.key, turn.now
            )
        except DuplicateCase as duplicate:
            return [self._duplicate(duplicate.existing, state.lang)]
        if not verdict.auto_approve:
            return [_filed(case, state.lang)]
        try:
            await self.store.act_on_case(case.id, CaseAction.APPROVE, "bot", case.version, turn.now, {"auto": True})
        except CaseEffectRefused:
            return [_filed(case, state.lang)]  # the order moved on since it was judged: an agent decides
        if case.kind is CaseKind.CANCEL:
            return [Reply(say("as_auto_cancel", state.lang, order_no=order.order_no, case_id=case.id))]
        return [Reply(say("as_auto_address", state.lang, case_id=case.id, address=draft.address))]

    async def progress(self, lang: str, proofs: frozenset[Proof]) -> list[Reply]:
        cases = await self.store.customer_cases(proofs, limit=5)
        return [Reply(self._view(lang).progress(cases))]

    async def take_waybill(self, lang: str, user: ChatUser, waybill: str, now: datetime) -> list[Reply] | None:
        """A waybill number from a customer whose return is approved is their parcel back to us."""
        cases = await self._customer_cases(user)
        waiting = [c for c in cases if c.state is CaseState.APPROVED and c.kind in GOODS_BACK
                   and not c.detail.get("return_waybill")]  # fmt: skip
        if not waiting:
            return None
        case = waiting[0]
        detail = {"return_waybill": waybill, "return_courier": courier_of_waybill(waybill)}
        try:
            case = await self.store.act_on_case(case.id, CaseAction.SEND_BACK, user.key, case.version, now, detail)
        except StaleCase as stale:
            return [Reply(self._view(lang).progress([stale.current]))]
        courier = self._view(lang).waybill(case).removesuffix(waybill).strip() or "-"
        return [Reply(say("as_waybill_taken", lang, waybill=waybill, courier=courier, case_id=case.id))]

    async def take_answer(self, lang: str, turn: Turn) -> list[Reply] | None:
        """A message that is no request of its own, from a customer an agent asked for more: their answer."""
        asked = [case for case in await self._customer_cases(turn.user) if case.state is CaseState.NEED_INFO]
        if not asked:
            return None
        case = asked[0]
        images = picture_refs(turn.attachments)
        detail: dict[str, object] = {"answer": turn.text.strip()[:500]} if turn.text.strip() else {}
        if images:
            detail["photos"] = [*case.detail.get("photos", []), *images][: MAX_PHOTOS * 2]
        try:
            await self.store.act_on_case(case.id, CaseAction.PROVIDE_INFO, turn.user.key, case.version, turn.now,
                                         detail)  # fmt: skip
        except StaleCase:
            return None  # the agent decided meanwhile; the message is answered as any other
        return [Reply(say("as_answer_taken", lang, case_id=case.id))]

    async def _customer_cases(self, user: ChatUser) -> list[Case]:
        """The cases of the orders this chat user's proofs open (none before any proof)."""
        return await self.store.customer_cases(await self.store.proofs(user))

    def _view(self, lang: str) -> CaseView:
        return CaseView(lang, self.tz, self.policy.return_address)

    async def _order(self, draft: Draft) -> Order | None:
        found = await self.store.find_orders(draft.order_no or "")
        return next((order for order in found if order.platform == draft.platform), None)

    def _refuse(self, state: ConversationState, draft: Draft, order: Order, verdict: Verdict) -> list[Reply]:
        state.draft = None
        lang = state.lang
        why = say(
            f"as_no_{verdict.refusal}",
            lang,
            order_no=order.order_no,
            state=name_of(STATE_NAMES, order.state, lang),
            request=name_of(REQUEST_NAMES, draft.request, lang),
            reason=name_of(REASON_NAMES, draft.reason or "", lang),
            days=self._window(draft),
        )
        instead = verdict.instead or Instead.TALK_TO_PERSON
        buttons: tuple[Button, ...] = (echo_button("btn_human", lang),)
        if instead is Instead.CANCEL_ORDER:
            label = say("btn_cancel_order", lang)
            buttons = (Button(label, f"{label} {order.order_no}"), *buttons)
        return [Reply(f"{why}\n{say(f'as_instead_{instead}', lang)}", buttons)]

    def _window(self, draft: Draft) -> int:
        if draft.request == "exchange":
            return self.policy.exchange_days
        defect = draft.reason is not None and Reason(draft.reason) in DEFECTS
        return self.policy.defect_days if defect else self.policy.return_days

    def _summary(self, draft: Draft, order: Order, verdict: Verdict, lang: str) -> str:
        platform = name_of(PLATFORM_NAMES, order.platform, lang)
        lines = [
            say("as_summary_order", lang, order_no=order.order_no, platform=platform),
            say("as_summary_request", lang, request=name_of(REQUEST_NAMES, verdict.kind or draft.request, lang)),
        ]
        if draft.request in GOODS_REQUESTS:
            items = "、".join(f"{line.title} ×{line.qty}" for line in order.lines if line.sku in draft.skus)
            lines.append(say("as_summary_items", lang, items=items))
            for parcel in order.parcels_carrying(draft.skus):
                courier = name_of(COURIER_NAMES, parcel.courier, lang)
                lines.append(say("as_summary_parcel", lang, courier=courier, tracking_no=parcel.tracking_no))
        if draft.reason:
            lines.append(say("as_summary_reason", lang, reason=name_of(REASON_NAMES, draft.reason, lang)))
        if draft.attribute:
            lines.append(say("as_summary_attribute", lang, attribute=draft.attribute))
        if draft.photos:
            lines.append(say("as_summary_photos", lang, count=len(draft.photos)))
        if draft.address:
            lines.append(say("as_summary_address", lang, address=draft.address))
        if verdict.kind is CaseKind.INTERCEPT:
            lines.append(say("as_summary_intercept", lang))
        refund = deposit_refund(order, self.policy) if verdict.kind is CaseKind.CANCEL else None
        if refund is not None:
            lines.append(say("as_summary_deposit_back" if refund else "as_summary_deposit_kept", lang))
        return "\n".join(lines)

    def _item_buttons(self, order: Order, lang: str) -> tuple[Button, ...]:
        buttons = [Button(f"{i}. {line.title}"[:30], str(i)) for i, line in enumerate(returnable(order), start=1)]
        return (*buttons, echo_button("btn_all_items", lang))

    def _reason_buttons(self, request: str, lang: str) -> tuple[Button, ...]:
        offered = REASON_CHOICES.get(request) or tuple(r for r in Reason if r in self.policy.refund_only_reasons)
        names = (name_of(REASON_NAMES, r, lang) for r in offered)
        return tuple(Button(name, name) for name in names)

    def _confirm_buttons(self, lang: str) -> tuple[Button, ...]:
        return echo_button("btn_confirm", lang), echo_button("btn_never_mind", lang)

    def _duplicate(self, case: Case, lang: str) -> Reply:
        view = self._view(lang)
        text = say("as_duplicate", lang, order_no=case.order_no, request=view.kind(case), case_id=case.id,
                   state=view.state(case))  # fmt: skip
        return Reply(text, (echo_button("btn_progress", lang),))


def _missing(draft: Draft, verdict: Verdict) -> str:
    if draft.request in GOODS_REQUESTS and not draft.skus:
        return "items"
    if draft.request in GOODS_REQUESTS and draft.reason is None:
        return "reason"
    if draft.request == "exchange" and not draft.attribute:
        return "attribute"
    if verdict.needs_photos and not draft.photos:
        return "photos"
    if draft.request == "change_address" and not draft.address:
        return "address"
    return "confirm"


def _reason(draft: Draft) -> Reason | None:
    return Reason(draft.reason) if draft.reason else None


def _other_question(turn: Turn, draft: Draft) -> bool:
    """A different order, the progress of earlier requests, or a confident question not about this request."""
    if (turn.order_no and turn.order_no != draft.order_no) or turn.asks_for_progress():
        return True
    return turn.confident and route(turn.parsed.intent).skill in (Skill.ORDER, Skill.PERSON)


def _detail(draft: Draft, order: Order, lang: str) -> dict[str, object]:
    """What an agent needs to decide, kept with the case (the customer's language answers them later)."""
    items = [{"sku": line.sku, "title": line.title, "qty": line.qty} for line in order.lines if line.sku in draft.skus]
    detail: dict[str, object] = {"request": draft.request, "items": items, "lang": lang}
    if draft.request in GOODS_REQUESTS:  # the parcel the goods came in, for the warehouse that takes them back
        detail["parcels"] = [parcel.tracking_no for parcel in order.parcels_carrying(draft.skus)]
    optional = {"words": draft.words, "attribute": draft.attribute, "photos": draft.photos, "address": draft.address}
    return detail | {key: value for key, value in optional.items() if value}


def _filed(case: Case, lang: str) -> Reply:
    request = name_of(REQUEST_NAMES, case.kind, lang)
    return Reply(say("as_filed", lang, request=request, case_id=case.id), (echo_button("btn_progress", lang),))
