"""The one interface through which the bot reaches orders, whoever keeps them.

The SQL implementation lives in `oms_client.stores`; an external OMS client implements the same protocol.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from oms_client.case_rules import CaseAction, CaseKind
from oms_client.domain import Case, Handoff, NluCandidate, Order, Platform
from oms_client.oversell import Choice, OversellOffer
from oms_client.proofs import Guess, GuessLimits, Judgement, Outcome, Proof

if TYPE_CHECKING:  # the port stays free of SQL: handlers import it, and they load no database library
    from oms_client.chats.outgoing import ChatMessage


class StaleConversation(Exception):
    """Another turn of the same conversation saved first; reload and try again."""


@dataclass(frozen=True)
class ConversationRecord:
    state: dict[str, Any]
    version: int


@dataclass(frozen=True)
class ChatUser:
    """Who is talking, as a channel names them: the key for bindings, limits and conversation state."""

    channel: str
    user_id: str

    @property
    def key(self) -> str:
        return f"{self.channel}:{self.user_id}"


class OrderStore(Protocol):
    async def find_orders(self, order_no: str) -> Sequence[Order]:
        """Every order with this platform order number (numbers are unique per platform only)."""

    async def recent_orders(self, proofs: Collection[Proof], limit: int) -> Sequence[Order]:
        """The orders these proofs open, newest first."""

    async def proofs(self, user: ChatUser) -> frozenset[Proof]:
        """What the chat user has proved so far (nothing: they see no order)."""

    async def judge_guess(
        self, user: ChatUser, guess: Guess, client: str | None, limits: GuessLimits, now: datetime
    ) -> Judgement:
        """Judge a guess at an order's receiver phone under the caps, atomically with every other guess: a right
        one binds the user to its proof and is audited, a wrong one is counted."""

    async def guess_lock(
        self, user: ChatUser, order_no: str, client: str | None, limits: GuessLimits, now: datetime
    ) -> Outcome | None:
        """Why a phone tail for the order would be refused now, if it would."""

    async def load_conversation(self, user: ChatUser) -> ConversationRecord | None: ...

    async def save_conversation(
        self, user: ChatUser, state: dict[str, Any], expected_version: int, at: datetime
    ) -> int:
        """Store the state if nobody saved since `expected_version` (0: new); returns the new version.

        Raises StaleConversation otherwise, so two turns of one chat never overwrite each other.
        """

    async def audit(
        self, actor: str, action: str, subject: tuple[str, str], detail: dict[str, Any], at: datetime
    ) -> None: ...

    async def file_case(
        self,
        platform: Platform,
        order_no: str,
        kind: CaseKind,
        reason: str,
        detail: dict[str, Any],
        filed_by: str | None,
        now: datetime,
    ) -> Case:
        """A new after-sales case; raises DuplicateCase when the order has an open one of the kind."""

    async def get_case(self, case_id: int) -> Case: ...

    async def open_case(self, platform: Platform, order_no: str, kind: CaseKind) -> Case | None:
        """The order's unfinished case of this kind, if it has one."""

    async def customer_cases(self, proofs: Collection[Proof], limit: int = 10) -> list[Case]:
        """The cases of the orders these proofs open, newest first."""

    async def open_cases(self, limit: int = 20) -> list[Case]: ...

    async def act_on_case(
        self,
        case_id: int,
        action: CaseAction,
        actor: str,
        expected_version: int,
        now: datetime,
        detail: dict[str, Any] | None = None,
    ) -> Case:
        """Move a case along the state machine; IllegalTransition, StaleCase or CaseNotFound otherwise."""

    async def open_handoff(
        self, chat_key: str, lang: str, reason: str, summary: dict[str, Any], now: datetime, expected_at: datetime
    ) -> tuple[Handoff, bool]:
        """Queue the chat for a person, who the customer was told to expect at `expected_at`; the open hand-off
        the chat already has (and False) when there is one."""

    async def chat_handoff(self, chat_key: str) -> Handoff | None: ...

    async def get_handoff(self, handoff_id: int) -> Handoff:
        """Raises HandoffNotFound for an unknown id."""

    async def waiting_handoffs(self, limit: int = 20) -> list[Handoff]: ...

    async def queue_position(self, handoff_id: int) -> int: ...

    async def agent_handoffs(self, agent_id: str) -> list[Handoff]: ...

    async def claim_handoff(self, handoff_id: int, agent_id: str, agent_chat: str, now: datetime) -> Handoff:
        """Raises HandoffTaken when another agent claimed it first or it has ended."""

    async def focus_handoff(self, handoff_id: int, agent_id: str, now: datetime) -> bool: ...

    async def keep_for_agent(self, handoff_id: int, line: dict[str, Any], kind: str = "waiting") -> None: ...

    async def end_handoff(self, handoff_id: int, by: str, now: datetime) -> Handoff:
        """Raises HandoffTaken when it had already ended."""

    async def unclaimed_since(self, before: datetime) -> list[Handoff]:
        """Waiting hand-offs whose customer was told to expect a person before `before`."""

    async def give_up(self, handoff_id: int, messages: Sequence[ChatMessage], now: datetime) -> bool:
        """End a hand-off nobody claimed, queuing `messages` with it; False when it was claimed or left first."""

    async def oversell_offer_for(self, order: Order, user: ChatUser, now: datetime) -> OversellOffer | None:
        """The order's open oversell offer for this chat (made now when the order is at risk and untold)."""

    async def oversell_offer(self, offer_id: int) -> OversellOffer | None:
        """A notice of an oversold item, with the variants that have stock to spare now."""

    async def answer_oversell(
        self, offer_id: int, choice: Choice, switch_to: str | None, case_id: int | None, now: datetime
    ) -> bool:
        """Record the customer's choice once; False when one was recorded already."""

    async def keep_nlu_candidate(
        self, chat_key: str, text: str, predicted: str, confidence: float, why: str, now: datetime
    ) -> int:
        """A message the bot was unsure of or misread (or an agent labels at once), kept with its numbers
        replaced for an agent to label; its id."""

    async def nlu_candidates(self, limit: int = 10) -> list[NluCandidate]: ...

    async def label_nlu_candidate(self, candidate_id: int, intent: str, by: str, now: datetime) -> bool: ...

    async def get_meta(self, key: str) -> dict[str, Any] | None: ...

    async def set_meta(self, key: str, value: dict[str, Any]) -> None: ...

    async def count_orders(self) -> int: ...

    async def health(self) -> dict[str, Any]:
        """What `/healthz` reports: whether the store answers, and how fast."""

    async def close(self) -> None: ...
