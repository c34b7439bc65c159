"""Alerts as staff, pushers and customers' notices see them: what an alert is, where it goes, what handling one
did, and the port the ops desk works through. No database here: the SQL lives in `oms_client.alerts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from oms_client.domain import OrderInChat

OPEN, ACKNOWLEDGED, RESOLVED = "open", "acknowledged", "resolved"
SEVERITY_RANK = {"info": 0, "warning": 1, "critical": 2}


@dataclass(frozen=True)
class Alert:
    kind: str
    subject: str
    severity: str
    status: str
    first_seen: datetime
    last_seen: datetime
    detail: dict[str, Any]
    is_new: bool = False
    id: int = 0
    acked_by: str | None = None
    assignee: str | None = None
    snoozed_until: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "severity": self.severity,
            "status": self.status,
            "first_seen": self.first_seen.isoformat(),
            "detail": self.detail,
        }


@dataclass(frozen=True)
class AlertFilter:
    """Which open alerts a list shows: one kind, one severity, or both (None lets all through)."""

    kind: str | None = None
    severity: str | None = None

    def admits(self, kind: str, severity: str) -> bool:
        return self.kind in (None, kind) and self.severity in (None, severity)


@dataclass(frozen=True)
class AlertPage:
    """One page of the open alerts, worst first, and what all of them add up to, so a list never hides that
    there are more (or worse) ones than it shows."""

    alerts: list[Alert]
    counts: dict[tuple[str, str], int]  # every open alert, by (kind, severity), whatever the filter
    matching: int  # open alerts the filter lets through

    def by(self, position: int) -> dict[str, int]:
        """Counts by kind (position 0) or by severity (1)."""
        totals: dict[str, int] = {}
        for key, count in self.counts.items():
            totals[key[position]] = totals.get(key[position], 0) + count
        return totals


@dataclass(frozen=True)
class ScanResult:
    """What one scan changed. The alerts it found again are only counted: a scheduled scan of a big store
    that read every open alert back each time would spend most of its time doing that."""

    opened: list[Alert]  # raised by this scan
    resolved: list[Alert]  # cleared since the last scan
    found_again: int  # already open, found again (their facts brought up to date)


@dataclass(frozen=True)
class AlertsChange:
    """A scan as people read it: every open alert (those it raised flagged) and what it cleared."""

    open: list[Alert]
    resolved: list[Alert]


@dataclass(frozen=True)
class Route:
    """One push target and the least severe alert it wants to hear of."""

    target: str
    min_severity: str = "warning"

    def wants(self, severity: str) -> bool:
        return SEVERITY_RANK.get(severity, 0) >= SEVERITY_RANK.get(self.min_severity, 0)


@dataclass(frozen=True)
class Routing:
    """Where alert messages go; during quiet hours non-critical ones wait until `quiet_until`."""

    routes: tuple[Route, ...] = ()
    quiet_until: datetime | None = None

    def not_before(self, severity: str, now: datetime) -> datetime:
        if self.quiet_until is not None and severity != "critical":
            return self.quiet_until
        return now


class Handled(StrEnum):
    """What became of a staff member's action on an alert; the chat tells them in words."""

    DONE = "done"
    NOT_FOUND = "not_found"
    RESOLVED = "resolved"  # cleared before they acted
    ALREADY = "already"  # someone (maybe they) did it first


@dataclass(frozen=True)
class Outcome:
    result: Handled
    alert: Alert | None = None


@dataclass(frozen=True)
class Delay(OrderInChat):
    """One order of a customer that is late or whose parcel is stuck, and the chat they last proved it in."""

    channel: str
    user_id: str
    platform: str
    order_no: str
    kind: str
    detail: dict[str, Any]
    courier: str | None
    tracking_no: str | None


class AlertDesk(Protocol):
    """What ops staff do with alerts from their chat; the first to act wins, the others are told."""

    async def acknowledge(self, alert_id: int, by: str, now: datetime) -> Outcome: ...

    async def snooze(self, alert_id: int, by: str, until: datetime, now: datetime) -> Outcome: ...

    async def assign(self, alert_id: int, by: str, assignee: str, now: datetime) -> Outcome: ...

    async def open_alerts(self, limit: int | None = 50) -> list[Alert]: ...

    async def open_page(self, shown: AlertFilter, offset: int, limit: int) -> AlertPage: ...
