"""Alert lifecycle in the store: one open alert per (kind, subject); found again → updated, gone → resolved.

Every change that someone must hear of is written to the outbox in the same transaction as the alert,
so a crash between the two can neither lose a message nor send one for an alert that was rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from oms_client import models as m
from oms_client.scan_queries import Finding

OPEN, ACKNOWLEDGED, RESOLVED = "open", "acknowledged", "resolved"
SEVERITY_RANK = {"info": 0, "warning": 1, "critical": 2}
T = TypeVar("T")
CHUNK = 5_000  # keeps IN lists and executemany batches under every driver's parameter limit


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
class AlertsChange:
    open: list[Alert]  # raised by this scan or still open, new ones flagged
    resolved: list[Alert]  # cleared since the last scan


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


async def sync_alerts(
    conn: AsyncConnection, findings: Sequence[Finding], kinds: Sequence[str], now: datetime, routing: Routing
) -> AlertsChange:
    """Inside the caller's write transaction, so concurrent scans cannot open the same alert twice."""
    table = m.AlertRow
    rows = (await conn.execute(select(table).where(table.status != RESOLVED, table.kind.in_(kinds)))).all()
    existing = {(row.kind, row.subject): row for row in rows}
    unique = {(f.kind, f.subject): f for f in findings}
    opened, kept, unchanged = _compare(existing, unique)
    await _update_kept(conn, kept, now)
    new = await _insert_opened(conn, opened, now)
    gone = [row for key, row in existing.items() if key not in unique]
    await _resolve(conn, gone, now)
    worse = [(row.id, f.severity) for row, f in kept if SEVERITY_RANK[f.severity] > SEVERITY_RANK[row.severity]]
    await _enqueue_alert_messages(conn, "opened", [(a.id, a.severity) for a in new], now, routing)
    await _enqueue_alert_messages(conn, "worsened", worse, now, routing)
    await _enqueue_resolved(conn, [row.id for row in gone], now)
    still = [alert_from_row(row, f.severity, f.detail) for row, f in kept] + [alert_from_row(row) for row in unchanged]
    return AlertsChange(open=new + still, resolved=[alert_from_row(row, status=RESOLVED) for row in gone])


def _compare(
    existing: dict[tuple[str, str], Any], found: dict[tuple[str, str], Finding]
) -> tuple[list[Finding], list[tuple[Any, Finding]], list[Any]]:
    """What this scan found against the open alerts: new problems, open ones with new facts, unchanged ones."""
    opened: list[Finding] = []
    kept: list[tuple[Any, Finding]] = []
    unchanged: list[Any] = []
    for key, finding in found.items():
        row = existing.get(key)
        if row is None:
            opened.append(finding)
        elif _changed(row, finding):
            kept.append((row, finding))
        else:
            unchanged.append(row)
    return opened, kept, unchanged


def _changed(row: Any, finding: Finding) -> bool:
    return bool(row.severity != finding.severity or row.detail != finding.detail)


async def _update_kept(conn: AsyncConnection, kept: list[tuple[Any, Finding]], now: datetime) -> None:
    """Only alerts whose facts changed are written: a repeat scan of a quiet store writes nothing."""
    table = m.AlertRow
    statement = (
        update(table)
        .where(table.id == bindparam("row_id"))
        .values(
            severity=bindparam("new_severity"),
            detail=bindparam("new_detail"),
            last_seen=now,
            version=table.version + 1,
        )
    )
    for part in chunks(kept):  # one executemany per chunk, not a round trip per alert
        params = [{"row_id": row.id, "new_severity": f.severity, "new_detail": f.detail} for row, f in part]
        await conn.execute(statement, params)


async def _insert_opened(conn: AsyncConnection, opened: list[Finding], now: datetime) -> list[Alert]:
    new: list[Alert] = []
    for part in chunks(opened):
        rows = [_new_row(finding, now) for finding in part]
        ids = (
            await conn.scalars(insert(m.AlertRow).returning(m.AlertRow.id, sort_by_parameter_order=True), rows)
        ).all()
        new += [
            Alert(f.kind, f.subject, f.severity, OPEN, now, now, f.detail, True, i)
            for f, i in zip(part, ids, strict=True)
        ]
    return new


async def _resolve(conn: AsyncConnection, gone: list[Any], now: datetime) -> None:
    table = m.AlertRow
    for part in chunks([row.id for row in gone]):
        await conn.execute(update(table).where(table.id.in_(part)).values(status=RESOLVED, resolved_at=now))


async def _enqueue_alert_messages(
    conn: AsyncConnection, kind: str, alerts: list[tuple[int, str]], now: datetime, routing: Routing
) -> None:
    rows = [
        _outbox_row(route.target, kind, severity, alert_id, now, routing.not_before(severity, now))
        for alert_id, severity in alerts
        for route in routing.routes
        if route.wants(severity)
    ]
    for part in chunks(rows):
        await conn.execute(insert(m.OutboxRow), part)


async def _enqueue_resolved(conn: AsyncConnection, alert_ids: list[int], now: datetime) -> None:
    """Tell each target that heard of an alert that it cleared; news nobody received yet is dropped."""
    outbox = m.OutboxRow
    for part in chunks(alert_ids):
        await conn.execute(delete(outbox).where(outbox.alert_id.in_(part), outbox.sent_at.is_(None)))
        heard = select(outbox.alert_id, outbox.target, outbox.severity).where(
            outbox.alert_id.in_(part), outbox.kind == "opened"
        )
        rows = (await conn.execute(heard.distinct())).all()
        if rows:
            resolved = [_outbox_row(r.target, "resolved", r.severity, r.alert_id, now, now) for r in rows]
            await conn.execute(insert(outbox), resolved)


def outbox_message(target: str, kind: str, severity: str, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    """An outbox row that is not about one alert (escalations carry theirs in `alert_id` separately)."""
    return _outbox_row(target, kind, severity, None, now, now) | {"payload": payload}


def _outbox_row(
    target: str, kind: str, severity: str, alert_id: int | None, now: datetime, not_before: datetime
) -> dict[str, Any]:
    return {
        "target": target,
        "kind": kind,
        "severity": severity,
        "alert_id": alert_id,
        "payload": {},
        "dedupe_key": None,
        "created_at": now,
        "not_before": not_before,
        "attempts": 0,
    }


def alert_from_row(
    row: Any, severity: str | None = None, detail: dict[str, Any] | None = None, status: str = ""
) -> Alert:
    return Alert(
        kind=row.kind,
        subject=row.subject,
        severity=severity or row.severity,
        status=status or row.status,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        detail=row.detail if detail is None else detail,
        id=row.id,
        acked_by=row.acked_by,
        assignee=row.assignee,
        snoozed_until=row.snoozed_until,
    )


def _new_row(finding: Finding, now: datetime) -> dict[str, Any]:
    return {
        "kind": finding.kind,
        "subject": finding.subject,
        "severity": finding.severity,
        "status": OPEN,
        "first_seen": now,
        "last_seen": now,
        "detail": finding.detail,
        "version": 1,
        "escalation_level": 0,
    }


def chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
