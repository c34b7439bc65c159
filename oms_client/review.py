"""The automatic review of new paid orders (自动审单): the shop's rules for holding an order until a person has
looked, as `[review]` in the shop config spells them. Every rule is off until the shop sets it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field


@dataclass(frozen=True)
class Reviewed:
    """What the rules read of one new paid order, and how many orders went to its address in the hour before."""

    total: Decimal
    phone: str
    province: str
    address: str  # city, district and street as the receiver wrote them
    note: str  # the buyer's message
    same_address_last_hour: int = 0


class ReviewRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    note_keywords: tuple[str, ...] = ()  # words in the buyer's message (改地址, 刷单, 到付 …)
    address_keywords: tuple[str, ...] = ()  # words in the address (驿站, 代收点, 学校 …)
    amount_over: Decimal | None = Field(default=None, gt=0)
    blocked_phones: tuple[str, ...] = ()
    same_address_per_hour: int | None = Field(default=None, ge=1)  # hold beyond this many to one address
    remote_provinces: tuple[str, ...] = ()
    review_hours: float = Field(default=2.0, gt=0, le=72)  # how soon the shop promises a person has looked

    def reason(self, order: Reviewed) -> str | None:
        """Why the order is held (the first rule it meets, in words ops read), or None to let it through."""
        checks = (
            (_found(order.note, self.note_keywords), "买家留言含“{}”"),
            (_found(order.address, self.address_keywords), "收货地址含“{}”"),
            (f"¥{order.total}" if self.amount_over and order.total > self.amount_over else None, "金额 {} 超过审核线"),
            (order.phone[-4:] if order.phone in self.blocked_phones else None, "收货手机（尾号 {}）在黑名单"),
            (_too_many(order.same_address_last_hour, self.same_address_per_hour), "同一地址一小时内第 {} 单"),
            (order.province if order.province in self.remote_provinces else None, "偏远地区（{}）"),
        )
        return next((words.format(found) for found, words in checks if found), None)


def _found(text: str, keywords: tuple[str, ...]) -> str | None:
    return next((word for word in keywords if word and word in text), None)


def _too_many(count: int, limit: int | None) -> str | None:
    return str(count + 1) if limit is not None and count >= limit else None


class Decided(StrEnum):
    DONE = "done"
    NOT_HELD = "not_held"  # no such order, or it is not (or no longer) held


@dataclass(frozen=True)
class HeldOrder:
    platform: str
    order_no: str
    reason: str
    since: datetime
    total: str


class HoldDesk(Protocol):
    """What ops staff do with held orders from their chat."""

    async def held(self, limit: int = 20) -> tuple[int, list[HeldOrder]]:
        """How many are held, and the longest-waiting `limit` of them."""
        ...

    async def release(self, order_no: str, by: str, now: datetime) -> Decided: ...

    async def cancel(self, order_no: str, reason: str, by: str, now: datetime) -> Decided: ...
