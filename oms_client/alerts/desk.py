"""Alerts as ops staff handle them: the scans that raise them, and acknowledge, snooze, assign, escalate."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from oms_client.alerting import (
    ACKNOWLEDGED,
    OPEN,
    RESOLVED,
    SEVERITY_RANK,
    Alert,
    AlertFilter,
    AlertPage,
    AlertsChange,
    Handled,
    Outcome,
    Routing,
    ScanResult,
)
from oms_client.alerts.kinds import ALERT_KINDS, SCANS, ScanInput, ScanLimits
from oms_client.alerts.lifecycle import alert_from_row, outbox_message, sync_alerts
from oms_client.domain import Courier, Platform
from oms_client.sql import models as m
from oms_client.sql.audit import audit_row
from oms_client.sql.database import Database


class AlertStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def scan(self, now: datetime, limits: ScanLimits, routing: Routing | None = None) -> ScanResult:
        """Run every scan and bring alerts and their outbox messages up to date in one write transaction."""
        at = ScanInput(now, limits, [p.value for p in Platform], [c.value for c in Courier])
        queries = [scan.rows(at) for scan in SCANS if scan.rows]
        async with self.database.write.begin() as conn:
            findings = [finding for scan in SCANS if scan.findings for finding in await scan.findings(conn, at)]
            return await sync_alerts(conn, findings, ALERT_KINDS, now, routing or Routing(), queries)

    async def report(self, result: ScanResult) -> AlertsChange:
        """Every open alert after a scan, those it raised flagged: what a person running `xiaoer scan` reads."""
        opened = {alert.id for alert in result.opened}
        still = [alert for alert in await self.open_alerts(limit=None) if alert.id not in opened]
        return AlertsChange(open=result.opened + still, resolved=result.resolved)

    async def get(self, alert_id: int) -> Alert | None:
        async with self.database.read.connect() as conn:
            row = (await conn.execute(select(m.AlertRow).where(m.AlertRow.id == alert_id))).first()
        return alert_from_row(row) if row else None

    async def acknowledge(self, alert_id: int, by: str, now: datetime) -> Outcome:
        """The first acknowledgement wins; it also stops escalation."""
        return await self._act(alert_id, by, now, "ack", {"status": ACKNOWLEDGED, "acked_by": by, "acked_at": now})

    async def snooze(self, alert_id: int, by: str, until: datetime, now: datetime) -> Outcome:
        return await self._act(alert_id, by, now, "snooze", {"snoozed_until": until})

    async def assign(self, alert_id: int, by: str, assignee: str, now: datetime) -> Outcome:
        return await self._act(alert_id, by, now, "assign", {"assignee": assignee})

    async def _act(self, alert_id: int, by: str, now: datetime, action: str, values: dict[str, Any]) -> Outcome:
        table = m.AlertRow
        async with self.database.write.begin() as conn:
            row = (await conn.execute(select(table).where(table.id == alert_id))).first()
            if row is None:
                return Outcome(Handled.NOT_FOUND)
            if row.status == RESOLVED:
                return Outcome(Handled.RESOLVED, alert_from_row(row))
            if action == "ack" and row.status == ACKNOWLEDGED:
                return Outcome(Handled.ALREADY, alert_from_row(row))
            changed = await conn.execute(
                update(table)
                .where(table.id == alert_id, table.version == row.version)
                .values(**values, version=row.version + 1)
            )
            if changed.rowcount != 1:
                return Outcome(Handled.ALREADY, alert_from_row(row))
            await _audit(conn, by, action, alert_id, values, now)
            after = (await conn.execute(select(table).where(table.id == alert_id))).one()
            return Outcome(Handled.DONE, alert_from_row(after))

    async def escalate(self, chain: Sequence[str], after: timedelta, now: datetime) -> list[Alert]:
        """Critical alerts nobody acknowledged in time go to the next person in `chain`, one step at a time."""
        table = m.AlertRow
        quiet_since = now - after
        due = (
            select(table)
            .where(
                table.status == OPEN,
                table.severity == "critical",
                table.escalation_level < len(chain),
                or_(table.snoozed_until.is_(None), table.snoozed_until <= now),
                or_(
                    table.escalated_at <= quiet_since,
                    (table.escalated_at.is_(None)) & (table.first_seen <= quiet_since),
                ),
            )
            .order_by(table.id)
        )
        async with self.database.write.begin() as conn:
            rows = (await conn.execute(due)).all()
            for row in rows:
                level = row.escalation_level
                await conn.execute(
                    update(table).where(table.id == row.id).values(escalation_level=level + 1, escalated_at=now)
                )
                message = outbox_message(chain[level], "escalation", row.severity, {"level": level + 1}, now)
                await conn.execute(insert(m.OutboxRow), [message | {"alert_id": row.id}])
                await _audit(conn, "system", "escalate", row.id, {"to": chain[level], "level": level + 1}, now)
        return [alert_from_row(row) for row in rows]

    async def open_by_kind(self) -> dict[str, int]:
        table = m.AlertRow
        query = select(table.kind, func.count()).where(table.status != RESOLVED).group_by(table.kind)
        async with self.database.read.connect() as conn:
            return {kind: int(count) for kind, count in (await conn.execute(query)).all()}

    async def open_alerts(self, limit: int | None = 50) -> list[Alert]:
        table = m.AlertRow
        query = select(table).where(table.status != RESOLVED).order_by(table.first_seen.desc(), table.id.desc())
        async with self.database.read.connect() as conn:
            return [alert_from_row(row) for row in (await conn.execute(query.limit(limit))).all()]

    async def open_page(self, shown: AlertFilter, offset: int, limit: int) -> AlertPage:
        """Open alerts worst first, the longest-standing first within a severity: what ops should look at."""
        table = m.AlertRow
        counted = select(table.kind, table.severity, func.count()).where(table.status != RESOLVED)
        rank = case(SEVERITY_RANK, value=table.severity, else_=-1)
        query = select(table).where(table.status != RESOLVED).order_by(rank.desc(), table.first_seen, table.id)
        if shown.kind is not None:
            query = query.where(table.kind == shown.kind)
        if shown.severity is not None:
            query = query.where(table.severity == shown.severity)
        async with self.database.read.connect() as conn:
            rows = (await conn.execute(counted.group_by(table.kind, table.severity))).all()
            page = (await conn.execute(query.offset(offset).limit(limit))).all()
        counts = {(kind, severity): count for kind, severity, count in rows}
        matching = sum(count for (kind, severity), count in counts.items() if shown.admits(kind, severity))
        return AlertPage([alert_from_row(row) for row in page], counts, matching)


async def _audit(
    conn: AsyncConnection, actor: str, action: str, alert_id: int, detail: dict[str, Any], now: datetime
) -> None:
    row = audit_row(actor, f"alert.{action}", ("alert", str(alert_id)), detail, now)
    await conn.execute(insert(m.AuditLogRow), [row])
