"""Proof of ownership before any order detail: the order number plus the receiver's phone tail.

"No such order" and "wrong digits" are one and the same failure to the caller, so nobody can probe
which order numbers exist; failures are counted per chat user and per order number and capped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from oms_client.domain import Order
from oms_client.store import ChatUser, OrderStore


@dataclass(frozen=True)
class VerificationLimits:
    per_user_per_hour: int = 5
    per_order_per_day: int = 10


class Outcome(Enum):
    VERIFIED = "verified"
    FAILED = "failed"
    LOCKED = "locked"


@dataclass(frozen=True)
class Verification:
    outcome: Outcome
    order: Order | None = None


class Identity:
    def __init__(self, store: OrderStore, limits: VerificationLimits) -> None:
        self.store = store
        self.limits = limits

    async def visible_orders(self, user: ChatUser, order_no: str) -> Sequence[Order]:
        """Orders with this number that the user has already proved are theirs."""
        bound = await self.store.bound_customers(user)
        if not bound:
            return []
        return [order for order in await self.store.find_orders(order_no) if order.customer_id in bound]

    async def is_locked(self, user: ChatUser, order_no: str | None, now: datetime) -> bool:
        by_user = await self.store.failed_verifications_by_user(user, now - timedelta(hours=1))
        if by_user >= self.limits.per_user_per_hour:
            return True
        if order_no is None:
            return False
        by_order = await self.store.failed_verifications_for_order(order_no, now - timedelta(days=1))
        return by_order >= self.limits.per_order_per_day

    async def verify(self, user: ChatUser, order_no: str, phone_tail: str, now: datetime) -> Verification:
        if await self.is_locked(user, order_no, now):
            return Verification(Outcome.LOCKED)
        orders = await self.store.find_orders(order_no)
        match = next((o for o in orders if o.receiver.phone.endswith(phone_tail)), None)
        if match is None:
            await self.store.record_failed_verification(user, order_no, now)
            locked = await self.is_locked(user, order_no, now)
            return Verification(Outcome.LOCKED if locked else Outcome.FAILED)
        await self.store.bind(user, match.customer_id, now)
        await self.store.audit(
            user.key, "chat_verified", ("order", f"{match.platform}:{match.order_no}"), {"channel": user.channel}, now
        )
        return Verification(Outcome.VERIFIED, match)
