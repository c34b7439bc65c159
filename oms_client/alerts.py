"""Alert lifecycle in the store: one open alert per (kind, subject); found again → updated, gone → resolved."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from oms_client import models as m
from oms_client.scan_queries import Finding

OPEN, RESOLVED = "open", "resolved"


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


async def sync_alerts(
    conn: AsyncConnection, findings: Sequence[Finding], kinds: Sequence[str], now: datetime
) -> AlertsChange:
    """Inside the caller's write transaction, so concurrent scans cannot open the same alert twice."""
    table = m.AlertRow
    rows = (await conn.execute(select(table).where(table.status != RESOLVED, table.kind.in_(kinds)))).all()
    existing = {(row.kind, row.subject): row for row in rows}
    unique = {(f.kind, f.subject): f for f in findings}
    opened = [finding for key, finding in unique.items() if key not in existing]
    kept = [(existing[key], finding) for key, finding in unique.items() if key in existing]
    if kept:  # one executemany, not a round trip per alert
        await conn.execute(
            update(table)
            .where(table.id == bindparam("row_id"))
            .values(
                severity=bindparam("new_severity"),
                detail=bindparam("new_detail"),
                last_seen=now,
                version=table.version + 1,
            ),
            [{"row_id": row.id, "new_severity": f.severity, "new_detail": f.detail} for row, f in kept],
        )
    still = [Alert(f.kind, f.subject, f.severity, row.status, row.first_seen, now, f.detail) for row, f in kept]
    if opened:
        await conn.execute(insert(table), [_new_row(finding, now) for finding in opened])
    gone = [row for key, row in existing.items() if key not in unique]
    if gone:
        await conn.execute(
            update(table).where(table.id.in_([row.id for row in gone])).values(status=RESOLVED, resolved_at=now)
        )
    new = [Alert(f.kind, f.subject, f.severity, OPEN, now, now, f.detail, is_new=True) for f in opened]
    resolved = [Alert(r.kind, r.subject, r.severity, RESOLVED, r.first_seen, now, r.detail) for r in gone]
    return AlertsChange(open=new + still, resolved=resolved)


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
    }
