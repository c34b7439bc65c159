"""Alert lifecycle in the store: one open alert per (kind, subject); found again → updated, gone → resolved.

Every change that someone must hear of is written to the outbox in the same transaction as the alert,
so a crash between the two can neither lose a message nor send one for an alert that was rolled back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Index,
    MetaData,
    String,
    Table,
    Text,
    and_,
    case,
    cast,
    delete,
    false,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.schema import CreateIndex, DropTable
from sqlalchemy.sql.elements import ColumnElement

from oms_client.alerting import OPEN, RESOLVED, SEVERITY_RANK, Alert, Routing, ScanResult
from oms_client.alerts.kinds.base import Finding, FindingRows
from oms_client.sql import models as m
from oms_client.sql.database import chunks
from oms_client.sql.json_text import as_text, constant, json_value
from oms_client.sql.types import AwareDateTime

# What the scans found, for the length of one scan's transaction: compared with the open alerts in SQL,
# so a quiet store costs a few joins and no rows carried into Python. Made by CREATE TABLE ... AS, which
# PostgreSQL runs with parallel workers (an INSERT ... SELECT never does).
STAGED = Table(
    "scan_findings",
    MetaData(),
    Column("kind", String(32)),
    Column("subject", String(80)),
    Column("severity", String(16)),
    Column("detail", Text),
)
# No rows; it names and types the staging table's columns, whatever the scans are.
SHAPE = select(*(cast(null(), column.type).label(column.name) for column in STAGED.columns)).where(false())


async def sync_alerts(
    conn: AsyncConnection,
    findings: Sequence[Finding],
    kinds: Sequence[str],
    now: datetime,
    routing: Routing,
    queries: Sequence[FindingRows] = (),
) -> ScanResult:
    """Bring the open alerts of `kinds` in line with what was found: the findings made in Python and the
    rows of `queries` (kind, subject, severity, detail as JSON text), which never leave the database.

    Inside the caller's write transaction, so concurrent scans cannot open the same alert twice."""
    await _stage(conn, findings, queries)
    worse = await _update_changed(conn, now)
    gone = await _resolve_gone(conn, kinds, now)
    new = await _open_new(conn, now)
    found = int(await conn.scalar(select(func.count()).select_from(STAGED)) or 0)
    await conn.execute(DropTable(STAGED))
    await _enqueue_alert_messages(conn, "opened", [(a.id, a.severity) for a in new], now, routing)
    await _enqueue_alert_messages(conn, "worsened", worse, now, routing)
    await _enqueue_resolved(conn, [a.id for a in gone], now)
    return ScanResult(opened=new, resolved=gone, found_again=found - len(new))


async def _stage(conn: AsyncConnection, findings: Sequence[Finding], queries: Sequence[FindingRows]) -> None:
    dialect = conn.dialect.name
    if dialect == "postgresql":
        # The joins here and in the comparison hash tens of thousands of rows: the default 4 MB of working
        # memory would sort them on disk.
        await conn.execute(text("SET LOCAL work_mem = '64MB'"))
    await conn.execute(union_all(SHAPE, *queries).into(STAGED.name, temporary=True))
    unique = {(f.kind, f.subject): f for f in findings}
    if unique:
        rows = [
            {"kind": f.kind, "subject": f.subject, "severity": f.severity, "detail": as_text(f.detail)}
            for f in unique.values()
        ]
        await conn.execute(insert(STAGED), rows)
    await _one_each(conn)
    if dialect == "postgresql":
        # Nothing analyzes a temporary table on its own, and without row counts the planner sorts and merges
        # where hashing is cheaper; a small sample says enough of a table that is read whole.
        await conn.execute(text("SET LOCAL default_statistics_target = 10"))
        await conn.execute(text(f"ANALYZE {STAGED.name}"))
    else:  # SQLite joins by nested loops: without an index each would read the table once per alert
        await conn.execute(CreateIndex(Index("ix_scan_findings", STAGED.c.kind, STAGED.c.subject)))


async def _one_each(conn: AsyncConnection) -> None:
    """A subject found twice (one parcel shipping two orders) keeps one finding: the same one every scan,
    or its alert would flip between them."""
    key = (STAGED.c.kind, STAGED.c.subject)
    twins = (await conn.execute(select(*key).group_by(*key).having(func.count() > 1))).all()
    for kind, subject in twins:
        same = and_(STAGED.c.kind == kind, STAGED.c.subject == subject)
        kept = (await conn.execute(select(STAGED).where(same).order_by(STAGED.c.detail).limit(1))).one()
        await conn.execute(delete(STAGED).where(same))
        await conn.execute(insert(STAGED).values(kept._mapping))


def _open_match(alert: Any) -> ColumnElement[bool]:
    """The open alert of a staged finding."""
    return and_(alert.kind == STAGED.c.kind, alert.subject == STAGED.c.subject, alert.status != RESOLVED)


async def _update_changed(conn: AsyncConnection, now: datetime) -> list[tuple[int, str]]:
    """Open alerts found with other facts take them; only those are written, so a repeat scan of a quiet
    store writes nothing. Returns the ones whose severity rose (their targets hear of it)."""
    table = m.AlertRow
    differs = or_(table.severity != STAGED.c.severity, cast(table.detail, Text) != STAGED.c.detail)
    changed = (
        await conn.execute(
            select(table.id, table.severity, STAGED.c.severity.label("now"))
            .join(STAGED, _open_match(table))
            .where(differs)
        )
    ).all()
    if changed:
        await conn.execute(
            update(table)
            .where(_open_match(table), differs)
            .values(
                severity=STAGED.c.severity,
                detail=json_value(STAGED.c.detail),
                last_seen=now,
                version=table.version + 1,
            )
        )
    return [(row.id, row.now) for row in changed if SEVERITY_RANK[row.now] > SEVERITY_RANK[row.severity]]


async def _resolve_gone(conn: AsyncConnection, kinds: Sequence[str], now: datetime) -> list[Alert]:
    table = m.AlertRow
    found = select(STAGED.c.kind).where(STAGED.c.kind == table.kind, STAGED.c.subject == table.subject)
    rows = (
        await conn.execute(
            update(table)
            .where(table.status != RESOLVED, table.kind.in_(kinds), ~found.exists())
            .values(status=RESOLVED, resolved_at=now)
            .returning(*table.__table__.columns)
        )
    ).all()
    return sorted((alert_from_row(row) for row in rows), key=lambda alert: alert.id)


async def _open_new(conn: AsyncConnection, now: datetime) -> list[Alert]:
    table = m.AlertRow
    already = select(table.id).where(_open_match(table))
    fresh = (
        select(
            STAGED.c.kind,
            STAGED.c.subject,
            STAGED.c.severity,
            constant(OPEN),
            literal(now, AwareDateTime()),
            literal(now, AwareDateTime()),
            json_value(STAGED.c.detail),
            literal(1),
            literal(0),
        )
        .where(~already.exists())
        .order_by(STAGED.c.kind, STAGED.c.subject)
    )
    columns = [
        "kind",
        "subject",
        "severity",
        "status",
        "first_seen",
        "last_seen",
        "detail",
        "version",
        "escalation_level",
    ]
    rows = (await conn.execute(insert(table).from_select(columns, fresh).returning(*table.__table__.columns))).all()
    return sorted((alert_from_row(row, is_new=True) for row in rows), key=lambda alert: alert.id)


async def _enqueue_alert_messages(
    conn: AsyncConnection, kind: str, alerts: list[tuple[int, str]], now: datetime, routing: Routing
) -> None:
    """One INSERT ... SELECT per target and batch of alerts: a store's first scan may open tens of thousands."""
    table, outbox = m.AlertRow, m.OutboxRow
    not_before = case(
        *(
            (table.severity == severity, literal(routing.not_before(severity, now), AwareDateTime()))
            for severity in SEVERITY_RANK
        ),
        else_=literal(now, AwareDateTime()),
    )
    columns = ["target", "kind", "severity", "alert_id", "payload", "created_at", "not_before", "attempts"]
    for route in routing.routes:
        wanted = [alert_id for alert_id, severity in alerts if route.wants(severity)]
        for part in chunks(wanted):
            rows = select(
                literal(route.target, String()),
                constant(kind),
                table.severity,
                table.id,
                literal({}, JSON()),
                literal(now, AwareDateTime()),
                not_before,
                literal(0),
            ).where(table.id.in_(part))
            await conn.execute(insert(outbox).from_select(columns, rows.order_by(table.id)))


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


def alert_from_row(row: Any, is_new: bool = False) -> Alert:
    return Alert(
        kind=row.kind,
        subject=row.subject,
        severity=row.severity,
        status=row.status,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        detail=row.detail,
        is_new=is_new,
        id=row.id,
        acked_by=row.acked_by,
        assignee=row.assignee,
        snoozed_until=row.snoozed_until,
    )
