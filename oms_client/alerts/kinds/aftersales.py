"""After-sales cases still waiting for a decision (requested, or asked for more) past the shop's SLA."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field
from sqlalchemy import String, cast, select

from oms_client.alerts.kinds.base import FindingRows, Limits, Scan, ScanInput
from oms_client.sql import models as m
from oms_client.sql.json_text import constant, facts, iso_utc


class AftersalesLimits(Limits):
    aftersales_sla_hours: float = Field(default=24.0, gt=0)


def aftersales_overdue(at: ScanInput) -> FindingRows:
    case_row = m.AfterSalesCaseRow
    deadline = at.now - timedelta(hours=at.limits.aftersales_sla_hours)
    return select(
        constant("aftersales_overdue"),
        constant("case:") + cast(case_row.id, String),
        constant("warning"),
        facts(case_kind=case_row.kind, state=case_row.state, created_at=iso_utc(case_row.created_at)),
    ).where(case_row.state.in_(["requested", "need_info"]), case_row.created_at < deadline)


SCAN = Scan(kinds=("aftersales_overdue",), rows=aftersales_overdue)
