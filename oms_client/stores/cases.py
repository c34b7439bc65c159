"""After-sales cases in the SQL store: filed once, moved only along `case_rules`, each move audited.

Every change names the version it was decided on; the UPDATE matches that version, so of two agents acting
on one case at once exactly one changes it and the other learns what it has become (StaleCase). The audit
row is written in the same transaction as the change, so the log and the cases never disagree.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Select, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from oms_client.case_rules import FINISHED, CaseAction, CaseKind, CaseState, next_state
from oms_client.domain import Case, CaseNotFound, DuplicateCase, Platform, StaleCase
from oms_client.events import case_event, filed_event
from oms_client.proofs import Proof
from oms_client.sql import models as m
from oms_client.sql.audit import audit_row
from oms_client.sql.database import Database
from oms_client.stores.effects import carry_out
from oms_client.stores.events import queue_events
from oms_client.stores.proofs import opened_by


class SqlCases:
    database: Database
    # Whether case moves and their effects are queued as outbound events (a webhook is configured).
    publish_events: bool

    async def file_case(
        self,
        platform: Platform,
        order_no: str,
        kind: CaseKind,
        reason: str,
        detail: dict[str, Any],
        filed_by: str | None,
        now: datetime,
    ) -> Case:
        """A new case in `requested`; DuplicateCase when one of the kind is still open for the order."""
        async with self.database.read.connect() as conn:
            order_id = await conn.scalar(
                select(m.OrderRow.id).where(m.OrderRow.platform == platform, m.OrderRow.order_no == order_no)
            )
        if order_id is None:
            raise CaseNotFound(f"no {platform} order {order_no}")
        values = {
            "order_id": order_id,
            "kind": kind,
            "state": CaseState.REQUESTED,
            "reason": reason[:200],
            "detail": detail,
            "filed_by": filed_by,
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        case = m.AfterSalesCaseRow
        try:
            async with self.database.write.begin() as conn:
                case_id: int = (await conn.execute(insert(case).values(values).returning(case.id))).scalar_one()
                audit = {"kind": kind, "order": order_no, "reason": reason, "to": CaseState.REQUESTED}
                row = audit_row(filed_by or "import", "case.filed", ("case", str(case_id)), audit, now)
                await conn.execute(insert(m.AuditLogRow), [row])
                if self.publish_events:
                    await queue_events(conn, [filed_event(case_id, kind, reason, platform, order_no, now)], now)
        except IntegrityError:
            existing = await self.open_case(platform, order_no, kind)
            if existing is None:
                raise
            raise DuplicateCase(existing) from None
        return await self.get_case(case_id)

    async def get_case(self, case_id: int) -> Case:
        async with self.database.read.connect() as conn:
            row = (await conn.execute(_cases().where(m.AfterSalesCaseRow.id == case_id))).first()
        if row is None:
            raise CaseNotFound(f"no case {case_id}")
        return _case(row)

    async def customer_cases(self, proofs: Collection[Proof], limit: int = 10) -> list[Case]:
        """The cases of the orders these proofs open, newest first: what "我的售后进度" shows."""
        if not proofs:
            return []
        query = _cases().where(opened_by(proofs))
        return await self._many(query.order_by(m.AfterSalesCaseRow.id.desc()).limit(limit))

    async def open_cases(self, limit: int = 20) -> list[Case]:
        """Cases still to be worked, oldest first: the agents' queue."""
        query = _cases().where(m.AfterSalesCaseRow.state.not_in(FINISHED))
        return await self._many(query.order_by(m.AfterSalesCaseRow.id).limit(limit))

    async def act_on_case(
        self,
        case_id: int,
        action: CaseAction,
        actor: str,
        expected_version: int,
        now: datetime,
        detail: dict[str, Any] | None = None,
    ) -> Case:
        """Move the case by `action` if it is still at `expected_version`; `detail` is merged into its own.
        What the move does to the order happens in the same transaction (`effects`), or neither does.

        Raises IllegalTransition (the action does not apply), StaleCase (changed meanwhile), CaseEffectRefused
        (the order no longer allows it) or CaseNotFound.
        """
        current = await self.get_case(case_id)
        if current.version != expected_version:
            raise StaleCase(current)
        after = next_state(current.kind, current.state, action)
        async with self.database.write.begin() as conn:
            won = await _move(conn, current, after, detail or {}, now)
            if won:
                audit = {"from": current.state, "to": after, "version": expected_version + 1} | (detail or {})
                row = audit_row(actor, f"case.{action}", ("case", str(case_id)), audit, now)
                await conn.execute(insert(m.AuditLogRow), [row])
                events = await carry_out(conn, current, action, actor, now)
                if self.publish_events:
                    moves = [case_event(current, action, after, detail or {}, now), *events]
                    await queue_events(conn, moves, now)
        if not won:
            raise StaleCase(await self.get_case(case_id))
        return await self.get_case(case_id)

    async def cases_changed(self, state: CaseState | None, since: datetime | None, limit: int) -> list[Case]:
        """Cases as the seller's systems poll them: by state, changed since a time, oldest change first."""
        case = m.AfterSalesCaseRow
        query = _cases()
        if state is not None:
            query = query.where(case.state == state)
        if since is not None:
            query = query.where(case.updated_at > since)
        return await self._many(query.order_by(case.updated_at, case.id).limit(limit))

    async def open_case(self, platform: Platform, order_no: str, kind: CaseKind) -> Case | None:
        """The order's unfinished case of this kind: there is at most one."""
        case, order = m.AfterSalesCaseRow, m.OrderRow
        query = _cases().where(
            order.platform == platform, order.order_no == order_no, case.kind == kind, case.state.not_in(FINISHED)
        )
        found = await self._many(query)
        return found[0] if found else None

    async def _many(self, query: Select[Any]) -> list[Case]:
        async with self.database.read.connect() as conn:
            return [_case(row) for row in await conn.execute(query)]


async def _move(conn: AsyncConnection, current: Case, after: CaseState, detail: dict[str, Any], now: datetime) -> bool:
    """The versioned UPDATE: False when another change got there first."""
    case = m.AfterSalesCaseRow
    result = await conn.execute(
        update(case)
        .where(case.id == current.id, case.version == current.version)
        .values(state=after, version=current.version + 1, updated_at=now, detail=current.detail | detail)
    )
    return result.rowcount == 1


def _cases() -> Select[Any]:
    case, order = m.AfterSalesCaseRow, m.OrderRow
    columns = (case.id, case.kind, case.state, case.reason, case.version, case.created_at, case.updated_at)
    more = (case.filed_by, case.assignee, case.detail, order.platform, order.order_no)
    return select(*columns, *more).join(order, order.id == case.order_id)


def _case(row: Any) -> Case:
    return Case(
        id=row.id,
        platform=Platform(row.platform),
        order_no=row.order_no,
        kind=CaseKind(row.kind),
        state=CaseState(row.state),
        reason=row.reason,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        filed_by=row.filed_by,
        assignee=row.assignee,
        detail=dict(row.detail or {}),
    )
