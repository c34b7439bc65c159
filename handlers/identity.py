"""Proof of ownership before any order detail: the order number plus the receiver's phone (tail or whole).

"No such order" and "wrong digits" are one and the same failure to the caller, so nobody can probe
which order numbers exist. Failures are capped per chat user, per client address and (for phone tails)
per order number; the store judges each guess together with its caps, so a burst gets no more judged.
What a proof opens is what it proved (`oms_client.proofs`): the orders to that receiver phone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from oms_client.domain import Order
from oms_client.proofs import Guess, GuessLimits, Outcome, covered
from oms_client.store import ChatUser, OrderStore


@dataclass(frozen=True)
class Verification:
    outcome: Outcome
    order: Order | None = None


class Identity:
    def __init__(self, store: OrderStore, limits: GuessLimits) -> None:
        self.store = store
        self.limits = limits

    async def visible_orders(self, user: ChatUser, order_no: str) -> Sequence[Order]:
        """Orders with this number that the user's proofs open."""
        proofs = await self.store.proofs(user)
        if not proofs:
            return []
        return [order for order in await self.store.find_orders(order_no) if covered(proofs, order)]

    async def lock(self, user: ChatUser, order_no: str, client: str | None, now: datetime) -> Outcome | None:
        """Why a phone tail for this order would be refused now, if it would: asked before asking for one."""
        return await self.store.guess_lock(user, order_no, client, self.limits, now)

    async def verify(
        self, user: ChatUser, order_no: str, digits: str, client: str | None, now: datetime
    ) -> Verification:
        judged = await self.store.judge_guess(user, Guess(order_no, digits), client, self.limits, now)
        if judged.outcome is not Outcome.VERIFIED or judged.proof is None:
            return Verification(judged.outcome)
        orders = await self.store.find_orders(order_no)
        match = next((o for o in orders if o.platform == judged.platform and judged.proof.covers(o)), None)
        # None only when the receiver changed in between: the proof is kept, the next turn answers.
        return Verification(Outcome.VERIFIED if match else Outcome.FAILED, match)
