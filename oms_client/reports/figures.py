"""The report's figures (`xiaoer report`): what ops staff and the shop owner read of a period — sales, shipping,
after-sales, oversell and the bot itself. Plain values, so the text summary, the JSON, the charts and the pushed
report all read the same numbers, and tests recompute them with SQL."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class Window:
    """Whole days of the shop's calendar, `first` to `last` inclusive, as instants `start` to `end`."""

    first: date
    last: date
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Spread:
    """How long something took (the unit is the field's name): the median and the 90th percentile (nearest rank)
    of `count` cases."""

    count: int
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if not values:
            return cls(0, None, None)
        ordered = sorted(values)
        p90 = ordered[math.ceil(0.9 * len(ordered)) - 1]
        return cls(len(ordered), round(statistics.median(ordered), 1), round(p90, 1))


@dataclass(frozen=True)
class DaySales:
    day: str  # YYYY-MM-DD in the shop's zone
    platform: str
    orders: int
    amount: str  # yuan, two decimals


@dataclass
class Sales:
    by_day: list[DaySales] = field(default_factory=list)  # paid orders and their amount, by day of payment
    paid_to_shipped_hours: dict[str, Spread] = field(default_factory=dict)  # per platform
    on_time: dict[str, float | None] = field(default_factory=dict)  # share shipped by the promise, per platform
    troubled_parcels: dict[str, dict[str, int]] = field(default_factory=dict)  # courier → stalled / exception


@dataclass
class AfterSales:
    cases: dict[str, dict[str, int]] = field(default_factory=dict)  # kind → reason → filed in the period
    rate: float | None = None  # cases filed / orders paid in the period (售后率)
    approval_rate: float | None = None  # approved / decided, of the decisions made in the period
    to_decision_hours: Spread = field(default_factory=lambda: Spread(0, None, None))
    to_close_hours: Spread = field(default_factory=lambda: Spread(0, None, None))
    refunded: str = "0.00"  # yuan, refunds recorded in the period


@dataclass
class Oversell:
    skus: list[str] = field(default_factory=list)  # oversold at some time in the period
    short_units: int = 0  # demand beyond stock, summed over them as last seen
    customers_told: int = 0
    choices: dict[str, int] = field(default_factory=dict)  # wait / switch / cancel


@dataclass
class Bot:
    conversations: int = 0  # a customer chat's day with at least one message
    self_service_rate: float | None = None  # conversations that ended without a person
    handoff_rate: float | None = None
    handoff_reasons: dict[str, int] = field(default_factory=dict)
    first_response_seconds: Spread = field(default_factory=lambda: Spread(0, None, None))
    proofs: dict[str, int] = field(default_factory=dict)  # succeeded / failed / locked
    notices_sent: int = 0  # delay notices and oversell offers the bot wrote first
    intents: dict[str, int] = field(default_factory=dict)  # customer messages by what they were read as
    clarifications: int = 0  # messages read without confidence: the bot asked what was meant


@dataclass
class Figures:
    window: Window
    sales: Sales
    aftersales: AfterSales
    oversell: Oversell
    bot: Bot
    custom: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # the shop's own tables, by name

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["window"] = {"from": self.window.first.isoformat(), "to": self.window.last.isoformat()}
        return data


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None
