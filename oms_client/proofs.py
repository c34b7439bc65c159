"""What a chat user may prove, and what a proof opens.

A proof is the receiver's phone (its last four digits, or the whole number) together with an order
number. It opens the orders that share what was shown: the same customer's orders to the same receiver
phone, never the customer's whole account. A gift recipient who proves the parcel in their hands sees
that order, not what the buyer sent to others.

Guesses are judged by the store in one step with the caps (`GuessLimits`), so no number of guesses
arriving at once gets more of them judged than the caps allow.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from oms_client.domain import Order, Platform

PHONE_DIGITS = 11


@dataclass(frozen=True)
class Proof:
    """A chat user has shown they hold `phone`, the receiver phone of an order of `customer_id`."""

    customer_id: int
    phone: str

    @classmethod
    def of(cls, order: Order) -> Proof:
        """What proving this order shows."""
        return cls(order.customer_id, order.receiver.phone)

    def covers(self, order: Order) -> bool:
        return order.customer_id == self.customer_id and order.receiver.phone == self.phone


def covered(proofs: frozenset[Proof], order: Order) -> bool:
    return any(proof.covers(order) for proof in proofs)


@dataclass(frozen=True)
class Guess:
    """An order number and the digits offered for it: a phone tail (4 digits) or the whole phone number."""

    order_no: str
    digits: str

    @property
    def whole_phone(self) -> bool:
        return len(self.digits) == PHONE_DIGITS

    def fits(self, phone: str) -> bool:
        return phone == self.digits if self.whole_phone else phone.endswith(self.digits)


@dataclass(frozen=True)
class GuessLimits:
    """Failures allowed: per chat user an hour (then the user is locked out), and per client address an hour
    and per order number a day (then phone tails from that address, or for that order, are not judged). A
    whole phone number is held to the user's cap only: whoever spent an order's or an address's tails (an
    attacker, or strangers behind the same carrier NAT) must not lock the owner out, and eleven digits are
    not guessed in a few tries."""

    per_user_per_hour: int = 5
    per_client_per_hour: int = 20
    per_order_per_day: int = 10


class Outcome(Enum):
    VERIFIED = "verified"
    FAILED = "failed"
    LOCKED = "locked"  # this chat user (or their address) guessed wrong too often
    # Phone tails are not judged now (the order's are spent for today, or this address's for the hour): the
    # whole phone number still proves, so whoever spent them cannot lock the owner out.
    TAILS_CLOSED = "tails_closed"
    # The order may be kept in an external OMS that is not answering now: nothing was judged or counted.
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class Judgement:
    outcome: Outcome
    platform: Platform | None = None  # the proved order's, when verified
    proof: Proof | None = None
