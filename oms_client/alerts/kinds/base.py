"""What every alert kind is made of: the findings it produces, the limits it reads, the scan that finds them.

The scans are set-based SQL: each finds every instance of one problem in one query, so a scan over a million
orders costs a few index or sequential passes, not a million round trips. A kind with many findings (orders,
parcels, cases) gives a SELECT of (kind, subject, severity, detail as JSON text) that the alert sync copies
into its staging table without the rows ever reaching Python; a kind whose findings are few by nature (SKUs
oversold, customers waiting for a person) makes them in Python.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from oms_client.sql import models as m
from oms_client.sql.json_text import constant

if TYPE_CHECKING:
    from oms_client.alerts.kinds import ScanLimits

FindingRows = Select[str, str, str, str]  # kind, subject, severity, detail as JSON text
# What an alert's subject names when customers hear of it: their order, or the parcel of their order.
Told = Literal["order", "parcel"]


class Limits(BaseModel):
    """A kind's thresholds as `[alerts.thresholds]` spells them, with the defaults a shop starts with."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Finding:
    """One problem as the store sees it. `detail` holds facts, not figures derived from the time of the
    scan (hours late are worked out when shown), so finding it again unchanged writes nothing."""

    kind: str
    subject: str
    severity: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class ScanInput:
    """What a scan may read besides the store: the time, the shop's limits, the names it groups by."""

    now: datetime
    limits: ScanLimits  # every kind's: each reads its own fields
    platforms: list[str]
    couriers: list[str]


@dataclass(frozen=True)
class Scan:
    """One kind of problem (or two faces of one, like a stalled and a failed parcel) and how to find it."""

    kinds: tuple[str, ...]
    rows: Callable[[ScanInput], FindingRows] | None = None
    findings: Callable[[AsyncConnection, ScanInput], Awaitable[list[Finding]]] | None = None
    told: dict[str, Told] = field(default_factory=dict)  # kinds a bound customer hears of, and their subject


def order_key(order: type[m.OrderRow] = m.OrderRow) -> ColumnElement[str]:
    """`platform:order_no`, the subject every order alert (and customer notice) is known by."""
    return order.platform + constant(":") + order.order_no
