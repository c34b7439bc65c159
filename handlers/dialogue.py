"""One turn of a customer conversation: understand, check identity, answer from the store."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.aftersales.draft import Draft, is_leaving, read_reason
from handlers.aftersales.flow import AfterSales
from handlers.aftersales.policy import AfterSalesPolicy
from handlers.aftersales.texts import REQUEST_NAMES
from handlers.context import conversation_id, conversation_id_for
from handlers.handoff.queue import Handoffs
from handlers.handoff.service_hours import ServiceHours
from handlers.identity import Identity
from handlers.intents import Skill, route
from handlers.messages import Address, Button, IncomingMessage, Reply
from handlers.notices.oversell import offer_notice
from handlers.observe import TurnObserver, Unobserved
from handlers.order_answers import details, reply
from handlers.order_view import OrderView
from handlers.oversell import OversellChoices
from handlers.staff.roster import Roster
from handlers.state import ConversationState
from handlers.texts import echo_button, name_of, say
from handlers.turn import Turn
from nlu import Parse, detect_lang
from nlu.normalize import normalize
from oms_client.clock import Clock
from oms_client.domain import Order
from oms_client.oversell import read_answer
from oms_client.proofs import GuessLimits, Outcome
from oms_client.store import ChatUser, OrderStore, StaleConversation

log = logging.getLogger(__name__)

MISSES_BEFORE_PERSON = 2
THANKS_CUES = ("谢谢", "多谢", "thank", "thx")
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
        observer: TurnObserver | None = None,
    ) -> None:
        self.store = store
        self.parse = parse
        self.clock = clock
        self.tz = tz
        self.identity = Identity(store, limits or GuessLimits())
        self.aftersales = AfterSales(store, policy or AfterSalesPolicy(), tz)
        self.oversell = OversellChoices(store, self.aftersales.policy, tz)
        self.observer: TurnObserver = observer or Unobserved()
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
            self.observer.parsed(turn.parsed.intent, turn.confident)
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
        oversold = read_answer(turn.text)  # a button of an oversell notice, whatever the bot was asking
        if oversold is not None:
            return await self.oversell.answer(turn, state.lang, *oversold)
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
        skill = route(intent).skill
        unsure = not turn.confident or turn.parsed.confidence < route(intent).sure_at
        if unsure and not (turn.order_no or turn.phone_digits):  # not a number answering the bot's question
            await self._keep(turn, "unsure")
        if skill is Skill.PERSON and not unsure:
            # Wanting a person ends whatever the bot was asking: the person takes it from here.
            state.awaiting = state.pending_intent = state.draft = None
            state.misses = 0
            return await self._to_person(state, turn, intent)
        if skill is Skill.REQUEST and not unsure and state.draft is None:
            reason = turn.parsed.slots.get("reason", "")
            state.draft = Draft(intent, reason=read_reason(reason), words=reason).to_dict()
            state.ask("order_id", intent)
        answers_question = state.awaiting and (unsure or skill in (Skill.SMALL_TALK, Skill.NONE))
        if skill is Skill.ORDER or state.draft or turn.order_no or turn.phone_digits or answers_question:
            state.misses = 0
            return await self._order_turn(state, turn)
        choices = self._choices(turn.parsed, state.lang) if unsure else ()
        if choices:
            return await self._missed(state, turn, Reply(say("clarify", state.lang), choices))
        if skill is Skill.SMALL_TALK:
            state.misses = 0
            thanks = any(cue in turn.text.lower() for cue in THANKS_CUES)
            greeted = any(who == "bot" for who, _ in state.recent)  # "你好" mid-chat: no second introduction
            said = "thanks" if thanks else "greet_again" if greeted else "welcome"
            return [Reply(say(said, state.lang), self._menu(state.lang))]
        return await self._missed(state, turn, Reply(say("fallback", state.lang), self._menu(state.lang)))

    async def _person_after_words(self, state: ConversationState, turn: Turn) -> list[Reply]:
        """The customer asked for a person and was asked what about: this message says it (or withdraws)."""
        reason = state.pending_intent or "human_agent"
        state.awaiting = state.pending_intent = None
        if is_leaving(turn.text):
            return [Reply(say("ho_withdrawn", state.lang))]
        return await self._to_person(state, turn, reason)

    async def _to_person(self, state: ConversationState, turn: Turn, reason: str) -> list[Reply]:
        self.observer.handed_off(reason)
        return await self.handoffs.escalate(turn.user, turn.chat, state, reason, turn.now, turn.client)

    async def _missed(self, state: ConversationState, turn: Turn, reply: Reply) -> list[Reply]:
        """A turn not understood; the second in a row goes to a person rather than round in circles. Either way the
        message is kept for an agent to label, so the shop's model can learn it."""
        state.misses += 1
        if state.misses < MISSES_BEFORE_PERSON:
            return [reply]
        if turn.confident:  # read with confidence, and still nothing the bot could do: kept (unsure ones already are)
            await self._keep(turn, "misunderstood")
        return await self._to_person(state, turn, "misunderstood")

    async def _keep(self, turn: Turn, why: str) -> None:
        """A message to learn from, for an agent to label (`/nlu-review`)."""
        parsed = turn.parsed
        await self.store.keep_nlu_candidate(turn.user.key, turn.text, parsed.intent, parsed.confidence, why, turn.now)

    async def _about_cases(self, state: ConversationState, turn: Turn) -> list[Reply] | None:
        """Messages about cases already filed: their progress, a return waybill, an answer an agent asked for."""
        if turn.asks_for_progress():
            return await self._progress(state, turn)
        waybill = turn.tracking_no
        if waybill and not turn.order_no:
            taken = await self.aftersales.take_waybill(state.lang, turn.user, waybill, turn.now)
            if taken is not None:
                return taken
        no_request = not turn.confident or route(turn.parsed.intent).skill in (Skill.SMALL_TALK, Skill.NONE)
        if state.awaiting is None and (turn.attachments or no_request):
            return await self.aftersales.take_answer(state.lang, turn)
        return None

    def _choices(self, parsed: Parse, lang: str) -> tuple[Button, ...]:
        """Too unsure to act: the two likeliest readings that name a request, as buttons."""
        ranked = [parsed.intent, *(intent for intent, _ in parsed.alternatives)]
        choices = [choice[lang] for intent in ranked if (choice := route(intent).choice)][:2]
        return tuple(Button(choice, choice) for choice in choices)

    def _menu(self, lang: str) -> tuple[Button, ...]:
        return (
            echo_button("btn_orders", lang),
            echo_button("btn_track", lang),
        )

    async def _order_turn(self, state: ConversationState, turn: Turn) -> list[Reply]:
        intent = turn.parsed.intent
        about_one_order = route(intent).skill in (Skill.ORDER, Skill.REQUEST, Skill.CASES)
        want = intent if about_one_order else state.pending_intent or "order_status"
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
        if route(want).skill is Skill.REQUEST:
            return say(f"as_{key}", lang, request=name_of(REQUEST_NAMES, want, lang))
        return say(key, lang)

    def _fits(self, order: Order, want: str, now: datetime) -> bool:
        """Which of a user's orders a question without an order number most likely means."""
        known = route(want)
        return self.aftersales.eligible(order, want, now) if known.skill is Skill.REQUEST else known.fits(order)

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
        self.observer.proved(result.outcome.value)
        if result.outcome is Outcome.LOCKED:
            state.settle()
            return [self._locked(state.lang)]
        if result.outcome is Outcome.TAILS_CLOSED:
            state.ask("phone_tail", want)
            return [self._whole_phone(order_no, state.lang)]
        if result.outcome is Outcome.UNAVAILABLE:
            state.ask("phone_tail", want)
            return [Reply(say("orders_unavailable", state.lang), (echo_button("btn_human", state.lang),))]
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
        state.pending_intent = None
        known = route(want)
        if known.skill is Skill.REQUEST:
            return await self.aftersales.begin(state, turn, order, want)
        if known.skill is Skill.CASES:
            return await self.aftersales.progress(state.lang, await self.store.proofs(turn.user))
        view = OrderView(state.lang, self.tz, turn.now)
        answered = [await reply(self.store, view, turn, order, known.answer or details)]
        offer = await self.store.oversell_offer_for(order, turn.user, turn.now)
        return [*answered, offer_notice(offer, state.lang, self.tz, asked=True)] if offer else answered
