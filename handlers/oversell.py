"""A customer's answer to an oversell notice (the button they pressed): wait for the restock, switch to a
variant in stock, or cancel with a refund. Switching and cancelling open the matching case, approved by the bot
where the shop's rules let it (an in-stock variant, a cancel before shipping); waiting is recorded. One answer
per notice, and only from the chat it was sent to."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.aftersales.policy import AfterSalesPolicy
from handlers.messages import Button, Reply
from handlers.notices.oversell import choices, restock_line
from handlers.texts import echo_button, say
from handlers.turn import Turn
from oms_client.case_rules import CaseAction, CaseKind
from oms_client.domain import Case, CaseEffectRefused, DuplicateCase, Platform
from oms_client.oversell import Choice, OversellOffer
from oms_client.store import OrderStore

CHOICE_NAMES = {
    Choice.WAIT: {"zh": "等待补货", "en": "wait for the restock"},
    Choice.SWITCH: {"zh": "换款", "en": "switch"},
    Choice.CANCEL: {"zh": "取消订单", "en": "cancel"},
}


class OversellChoices:
    def __init__(self, store: OrderStore, policy: AfterSalesPolicy, tz: ZoneInfo) -> None:
        self.store, self.policy, self.tz = store, policy, tz

    async def answer(self, turn: Turn, lang: str, offer_id: int, choice: Choice, sku: str) -> list[Reply]:
        offer = await self.store.oversell_offer(offer_id)
        if offer is None or offer.chat_key != turn.user.key:  # someone else's notice is not theirs to answer
            return [Reply(say("os_unknown", lang))]
        if offer.choice is not None:
            return [Reply(say("os_chosen", lang, choice=CHOICE_NAMES[offer.choice][lang]), _person(lang))]
        if choice is Choice.WAIT:
            await self.store.answer_oversell(offer.id, choice, None, None, turn.now)
            return [Reply(say("os_waiting", lang, restock=restock_line(offer.restock_at, lang, self.tz)))]
        variant = next((v for v in offer.variants if v.sku == sku), None)
        if choice is Choice.SWITCH and variant is None:
            title = sku or offer.title
            return [Reply(say("os_variant_gone", lang, title=title), _wait_or_cancel(offer, lang))]
        return await self._case(turn, lang, offer, choice, variant.title if variant else "", sku)

    async def _case(
        self, turn: Turn, lang: str, offer: OversellOffer, choice: Choice, title: str, sku: str
    ) -> list[Reply]:
        """File the switch or the cancel, approve it where the rules allow, and record the choice with it."""
        switch = choice is Choice.SWITCH
        kind = CaseKind.EXCHANGE if switch else CaseKind.CANCEL
        detail = {"request": "exchange" if switch else "cancel_order", "lang": lang, "oversell": offer.sku,
                  "items": [{"sku": offer.sku, "title": offer.title, "qty": offer.qty}]}  # fmt: skip
        if switch:
            detail |= {"switch_from": offer.sku, "switch_to": sku, "attribute": title}
        auto = self.policy.auto_approve_switch if switch else self.policy.auto_approve_cancel
        try:
            case = await self.store.file_case(Platform(offer.platform), offer.order_no, kind, "oversold", detail,
                                              turn.user.key, turn.now)  # fmt: skip
        except DuplicateCase as duplicate:  # asked for in chat already: that case answers it
            case, auto = duplicate.existing, False
        await self.store.answer_oversell(offer.id, choice, sku or None, case.id, turn.now)
        names = {"title": title, "case_id": case.id, "request": CHOICE_NAMES[choice][lang]}
        if not auto:
            return [Reply(say("os_switch_filed" if switch else "as_filed", lang, **names))]
        if not await self._approved(case, turn.now):
            return [Reply(say("os_shipped_meanwhile", lang, order_no=offer.order_no), _person(lang))]
        if switch:
            return [Reply(say("os_switched", lang, **names))]
        return [Reply(say("as_auto_cancel", lang, order_no=offer.order_no, case_id=case.id))]

    async def _approved(self, case: Case, now: datetime) -> bool:
        """The bot's approval, its effect carried out (an exchange before shipping is then done and closed);
        False when the order shipped meanwhile."""
        try:
            approved = await self.store.act_on_case(case.id, CaseAction.APPROVE, "bot", case.version, now,
                                                    {"auto": True})  # fmt: skip
        except CaseEffectRefused:
            return False
        if case.kind is CaseKind.EXCHANGE:
            await self.store.act_on_case(case.id, CaseAction.CLOSE, "bot", approved.version, now, {"auto": True})
        return True


def _wait_or_cancel(offer: OversellOffer, lang: str) -> tuple[Button, ...]:
    buttons = choices(offer, lang)
    return buttons[0], buttons[-1]


def _person(lang: str) -> tuple[Button, ...]:
    return (echo_button("btn_human", lang),)
