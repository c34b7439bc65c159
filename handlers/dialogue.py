"""One turn of a customer conversation: understand, check identity, answer from the store."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.aftersales.draft import REQUESTS, Draft, is_leaving, read_reason
from handlers.aftersales.flow import AfterSales
from handlers.aftersales.policy import AfterSalesPolicy
from handlers.aftersales.texts import REQUEST_NAMES
from handlers.context import conversation_id, conversation_id_for
from handlers.handoff.queue import Handoffs
from handlers.handoff.service_hours import ServiceHours
from handlers.identity import Identity
from handlers.messages import Address, Button, IncomingMessage, Reply
from handlers.order_view import OrderView
from handlers.staff.roster import Roster
from handlers.state import ConversationState
from handlers.texts import echo_button, name_of, say
from handlers.turn import Turn
from nlu import Parse, detect_lang
from nlu.normalize import normalize
from oms_client.clock import Clock
from oms_client.domain import Order, OrderState
from oms_client.proofs import GuessLimits, Outcome
from oms_client.store import ChatUser, OrderStore, StaleConversation

log = logging.getLogger(__name__)

ORDER_INTENTS = ("order_status", "logistics", "urge_shipping")
# What a question about one order may want: an answer, an after-sales request, or its cases' progress.
WANTS = (*ORDER_INTENTS, *REQUESTS, "progress")
# Asking for a person, or complaining, hands the chat to one.
FOR_A_PERSON = ("human_agent", "complaint")
MISSES_BEFORE_PERSON = 2
THANKS_CUES = ("谢谢", "多谢", "thank", "thx")
# What a clarifying button says (and sends back) for each intent it may offer.
INTENT_CHOICES = {
    "order_status": {"zh": "查订单状态", "en": "Check my order"},
    "urge_shipping": {"zh": "催发货", "en": "Hurry my shipment"},
    "logistics": {"zh": "查物流", "en": "Track my parcel"},
    "return_refund": {"zh": "我要退货退款", "en": "Return for a refund"},
    "exchange": {"zh": "我要换货", "en": "Exchange an item"},
    "refund_only": {"zh": "申请仅退款", "en": "Refund only, no return"},
    "cancel_order": {"zh": "取消订单", "en": "Cancel my order"},
    "change_address": {"zh": "修改收货地址", "en": "Change the delivery address"},
    "human_agent": {"zh": "转人工", "en": "Talk to a person"},
    "complaint": {"zh": "我要投诉", "en": "Make a complaint"},
}
MAX_MESSAGE_CHARS = 1_000
# Commands every channel's menu offers (Telegram's command list, WeChat menu keys map onto them).
COMMANDS = ("start", "help", "orders", "cancel")
RECENT_ORDERS = 5


class Dialogue:
    def __init__(
        self,
        store: OrderStore,
        parse: Callable[[str], Parse],
        clock: Clock,
        tz: ZoneInfo,
        limits: GuessLimits | None = None,
        policy: AfterSalesPolicy | None = None,
        handoffs: Handoffs | None = None,
    ) -> None:
        self.store = store
        self.parse = parse
        self.clock = clock
        self.tz = tz
        self.identity = Identity(store, limits or GuessLimits())
        self.aftersales = AfterSales(store, policy or AfterSalesPolicy(), tz)
        self.handoffs = handoffs or Handoffs(store, Roster(), ServiceHours(), tz)

    async def handle(self, message: IncomingMessage) -> list[Reply]:
        """Answer one message. Never raises: a failure becomes an apology, logged with its cause."""
        user = ChatUser(message.channel, message.user_id)
        token = conversation_id.set(conversation_id_for(user.key))
        lang = detect_lang(message.text[:200]) or "zh"
        try:
            return await self._handle(user, message)
        except Exception:
            log.exception("turn failed")
            return [Reply(say("error", lang))]
        finally:
            conversation_id.reset(token)

    async def _handle(self, user: ChatUser, message: IncomingMessage) -> list[Reply]:
        now = self.clock.now()
        held = await self.handoffs.intercept(message, now)
        if held is not None:
            return held
        record = await self.store.load_conversation(user)
        state = ConversationState.from_dict(record.state) if record else ConversationState()
        # A deep link's payload (/start 123456) is read as if the user had typed it.
        text = message.command_args if message.command in COMMANDS else message.text
        lang = detect_lang(text[:200]) or state.lang
        deep_link = message.command == "start" and bool(text)
        command = message.command if message.command in COMMANDS and not deep_link else None
        if command is None and not normalize(text).text and not message.attachments:
            return [Reply(say("empty", lang))]
        if command is None and len(text) > MAX_MESSAGE_CHARS:
            return [Reply(say("too_long", lang, limit=MAX_MESSAGE_CHARS))]
        before = state.to_dict()
        state.lang = lang
        if command is not None:
            replies = await self._command(state, user, command, now)
        else:
            chat = Address(message.channel, message.chat_id)
            turn = Turn(user, chat, text, self.parse(text), now, message.attachments, message.client)
            state.remember("customer", text)
            replies = await self._respond(state, turn)
            state.remember("bot", replies[0].text if replies else "")
        if state.to_dict() != before:
            await self._save(user, state, record.version if record else 0, now)
        return replies

    async def _command(self, state: ConversationState, user: ChatUser, command: str, now: datetime) -> list[Reply]:
        """The menu commands every chat app offers: start, help, my orders, and a way out of a question."""
        if command == "orders":
            return await self._list(state, user, now)
        if command == "cancel":
            state.awaiting = state.pending_intent = state.order_no = state.draft = None
            state.misses = 0
            return [Reply(say("cancelled", state.lang), self._menu(state.lang))]
        return [Reply(say("help" if command == "help" else "welcome", state.lang), self._menu(state.lang))]

    async def _save(self, user: ChatUser, state: ConversationState, version: int, now: datetime) -> None:
        try:
            await self.store.save_conversation(user, state.to_dict(), version, now)
        except StaleConversation:
            # Another message of the same chat was answered meanwhile; its state is the newer one.
            log.warning("conversation changed during the turn; keeping the other turn's state")

    async def _respond(self, state: ConversationState, turn: Turn) -> list[Reply]:
        if state.awaiting == "person":
            return await self._person_after_words(state, turn)
        if state.draft is not None:
            taken = await self.aftersales.carry_on(state, turn)
            if taken is not None:
                return taken
        about_cases = await self._about_cases(state, turn)
        if about_cases is not None:
            return about_cases
        intent = turn.parsed.intent
        unsure = not turn.confident
        if intent in FOR_A_PERSON and not unsure:
            # Wanting a person ends whatever the bot was asking: the person takes it from here.
            state.awaiting = state.pending_intent = state.draft = None
            state.misses = 0
            return await self.handoffs.escalate(turn.user, turn.chat, state, intent, turn.now, turn.client)
        if intent in REQUESTS and not unsure and state.draft is None:
            reason = turn.parsed.slots.get("reason", "")
            state.draft = Draft(intent, reason=read_reason(reason), words=reason).to_dict()
            state.ask("order_id", intent)
        answers_question = state.awaiting and (unsure or intent in ("other", "greeting"))
        if intent in ORDER_INTENTS or state.draft or turn.order_no or turn.phone_digits or answers_question:
            state.misses = 0
            return await self._order_turn(state, turn)
        choices = self._choices(turn.parsed, state.lang) if unsure else ()
        if choices:
            return await self._missed(state, turn, Reply(say("clarify", state.lang), choices))
        if intent == "greeting":
            state.misses = 0
            thanks = any(cue in turn.text.lower() for cue in THANKS_CUES)
            return [Reply(say("thanks" if thanks else "welcome", state.lang), self._menu(state.lang))]
        return await self._missed(state, turn, Reply(say("fallback", state.lang), self._menu(state.lang)))

    async def _person_after_words(self, state: ConversationState, turn: Turn) -> list[Reply]:
        """The customer asked for a person and was asked what about: this message says it (or withdraws)."""
        reason = state.pending_intent or "human_agent"
        state.awaiting = state.pending_intent = None
        if is_leaving(turn.text):
            return [Reply(say("ho_withdrawn", state.lang))]
        return await self.handoffs.escalate(turn.user, turn.chat, state, reason, turn.now, turn.client)

    async def _missed(self, state: ConversationState, turn: Turn, reply: Reply) -> list[Reply]:
        """A turn not understood; the second in a row goes to a person rather than round in circles."""
        state.misses += 1
        if state.misses >= MISSES_BEFORE_PERSON:
            return await self.handoffs.escalate(turn.user, turn.chat, state, "misunderstood", turn.now, turn.client)
        return [reply]

    async def _about_cases(self, state: ConversationState, turn: Turn) -> list[Reply] | None:
        """Messages about cases already filed: their progress, a return waybill, an answer an agent asked for."""
        if turn.asks_for_progress():
            return await self._progress(state, turn)
        waybill = turn.tracking_no
        if waybill and not turn.order_no:
            taken = await self.aftersales.take_waybill(state.lang, turn.user, waybill, turn.now)
            if taken is not None:
                return taken
        no_request = not turn.confident or turn.parsed.intent in ("other", "greeting")
        if state.awaiting is None and (turn.attachments or no_request):
            return await self.aftersales.take_answer(state.lang, turn)
        return None

    def _choices(self, parsed: Parse, lang: str) -> tuple[Button, ...]:
        """Too unsure to act: the two likeliest readings that name a request, as buttons."""
        ranked = [parsed.intent, *(intent for intent, _ in parsed.alternatives)]
        choices = [INTENT_CHOICES[intent][lang] for intent in ranked if intent in INTENT_CHOICES][:2]
        return tuple(Button(choice, choice) for choice in choices)

    def _menu(self, lang: str) -> tuple[Button, ...]:
        return (
            echo_button("btn_orders", lang),
            echo_button("btn_track", lang),
        )

    async def _order_turn(self, state: ConversationState, turn: Turn) -> list[Reply]:
        intent = turn.parsed.intent
        want = intent if intent in WANTS and intent != "other" else state.pending_intent or "order_status"
        if turn.asks_for_list():
            return await self._list(state, turn.user, turn.now)
        if turn.order_no:
            state.order_no = turn.order_no
        focus = state.order_no
        if focus is None:
            return await self._without_order_no(state, turn, want)
        if turn.phone_digits:
            return await self._verify(state, turn, focus, turn.phone_digits, want)
        visible = await self.identity.visible_orders(turn.user, focus)
        if visible:
            state.settle()
            return await self._answer(state, turn, visible[0], want)
        if state.awaiting == "phone_tail" and not turn.order_no:
            return [Reply(say("phone_tail_format", state.lang))]
        return await self._ask_phone_tail(state, turn, focus, want)

    async def _ask_phone_tail(self, state: ConversationState, turn: Turn, order_no: str, want: str) -> list[Reply]:
        lock = await self.identity.lock(turn.user, order_no, turn.client, turn.now)
        if lock is Outcome.LOCKED:
            state.settle()
            return [self._locked(state.lang)]
        state.ask("phone_tail", want)
        if lock is Outcome.TAILS_CLOSED:
            return [self._whole_phone(order_no, state.lang)]
        return [Reply(say("ask_phone_tail", state.lang, order_no=order_no))]

    async def _without_order_no(self, state: ConversationState, turn: Turn, want: str) -> list[Reply]:
        """No order named: a verified user picks from their orders, anyone else is asked for a number."""
        proofs = await self.store.proofs(turn.user)
        if not proofs:
            state.ask("order_id", want)
            return [Reply(self._order_prompt("ask_order_no", want, state.lang))]
        orders = await self.store.recent_orders(proofs, RECENT_ORDERS)
        candidates = [o for o in orders if self._fits(o, want, turn.now)] or list(orders)
        if len(candidates) == 1:
            state.order_no = candidates[0].order_no
            state.settle()
            return await self._answer(state, turn, candidates[0], want)
        state.ask("order_id", want)
        return self._listing(state, turn.now, candidates, self._order_prompt("pick_order", want, state.lang))

    def _order_prompt(self, key: str, want: str, lang: str) -> str:
        """Asking for an order: an after-sales request names itself ("要申请退货退款的订单号")."""
        if want in REQUESTS:
            return say(f"as_{key}", lang, request=name_of(REQUEST_NAMES, want, lang))
        return say(key, lang)

    def _fits(self, order: Order, want: str, now: datetime) -> bool:
        """Which of a user's orders a question without an order number most likely means."""
        if want in REQUESTS:
            return self.aftersales.eligible(order, want, now)
        if want == "logistics":
            return order.state is OrderState.SHIPPED
        if want == "urge_shipping":
            return order.state is OrderState.PAID
        return True

    async def _progress(self, state: ConversationState, turn: Turn) -> list[Reply]:
        """ "我的售后进度": a verified user sees their cases; anyone else proves an order first."""
        proofs = await self.store.proofs(turn.user)
        if proofs and not turn.order_no:
            state.settle()
            return await self.aftersales.progress(state.lang, proofs)
        return await self._order_turn(state, replace(turn, parsed=replace(turn.parsed, intent="progress")))

    async def _list(self, state: ConversationState, user: ChatUser, now: datetime) -> list[Reply]:
        proofs = await self.store.proofs(user)
        if not proofs:
            state.ask("order_id", "order_status")
            return [Reply(say("ask_order_no", state.lang))]
        orders = await self.store.recent_orders(proofs, RECENT_ORDERS)
        if not orders:
            return [Reply(say("no_orders", state.lang))]
        state.settle()
        return self._listing(state, now, orders, "")

    def _listing(self, state: ConversationState, now: datetime, orders: Sequence[Order], prompt: str) -> list[Reply]:
        text, buttons = OrderView(state.lang, self.tz, now).listing(orders)
        return [Reply(f"{text}\n{prompt}".rstrip(), buttons)]

    async def _verify(self, state: ConversationState, turn: Turn, order_no: str, digits: str, want: str) -> list[Reply]:
        result = await self.identity.verify(turn.user, order_no, digits, turn.client, turn.now)
        if result.outcome is Outcome.LOCKED:
            state.settle()
            return [self._locked(state.lang)]
        if result.outcome is Outcome.TAILS_CLOSED:
            state.ask("phone_tail", want)
            return [self._whole_phone(order_no, state.lang)]
        if result.outcome is Outcome.FAILED or result.order is None:
            state.ask("phone_tail", want)
            return [Reply(say("no_match", state.lang))]
        state.settle()
        answer = await self._answer(state, turn, result.order, want)
        first = answer[0]
        return [Reply(f"{say('verified', state.lang)}\n{first.text}", first.buttons), *answer[1:]]

    def _whole_phone(self, order_no: str, lang: str) -> Reply:
        """Tails are not judged now (the order's or the address's are spent, perhaps by someone else): the owner
        proves with the whole number."""
        return Reply(say("ask_whole_phone", lang, order_no=order_no), (echo_button("btn_human", lang),))

    def _locked(self, lang: str) -> Reply:
        return Reply(say("locked", lang), (echo_button("btn_human", lang),))

    async def _answer(self, state: ConversationState, turn: Turn, order: Order, want: str) -> list[Reply]:
        view = OrderView(state.lang, self.tz, turn.now)
        state.pending_intent = None
        if want in REQUESTS:
            return await self.aftersales.begin(state, turn, order, want)
        if want == "progress":
            return await self.aftersales.progress(state.lang, await self.store.proofs(turn.user))
        if want == "urge_shipping":
            text = self._urge(view, order, state.lang)
            if order.state is OrderState.PAID:
                # Recorded so the warehouse and the ship-SLA scan see who is waiting.
                await self.store.audit(
                    turn.user.key,
                    "urge_shipping",
                    ("order", f"{order.platform}:{order.order_no}"),
                    {"late": order.is_ship_late(turn.now)},
                    turn.now,
                )
        elif want == "logistics":
            text = view.tracking(order)
        else:
            text = view.details(order)
        buttons = []
        if want != "logistics" and order.shipments:
            buttons.append(Button(say("btn_track", state.lang), f"{order.order_no} {say('btn_track', state.lang)}"))
        if view.needs_person(order):
            buttons.append(echo_button("btn_human", state.lang))
        return [Reply(text, tuple(buttons))]

    def _urge(self, view: OrderView, order: Order, lang: str) -> str:
        if order.state is OrderState.PAID:
            return "\n".join([view.head(order), say("urged", lang), *view.shipping_promise(order)])
        if order.state is OrderState.PENDING_PAYMENT:
            return f"{view.head(order)}\n{say('unpaid', lang)}"
        if order.shipments:
            return f"{say('already_shipped', lang)}\n{view.tracking(order)}"
        return view.details(order)
