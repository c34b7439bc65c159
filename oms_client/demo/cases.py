"""After-sales history for the demo store: some delivered orders come back as returns, exchanges and refund-only
requests, decided by an agent within hours and refunded or closed days later, with the audit rows the workflow
writes — so the report's after-sales section has something to say about a seeded week."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from oms_client.sql.audit import audit_row

SHARE = 0.05  # of delivered orders
# (kind, reason, weight): what buyers ask after delivery, most often a return without a reason.
ASKED = (
    ("return_refund", "no_reason", 30),
    ("return_refund", "wrong_size", 12),
    ("return_refund", "quality", 10),
    ("exchange", "wrong_size", 15),
    ("refund_only", "missing", 8),
    ("refund_only", "damaged", 6),
)
APPROVED = 0.85
Step = tuple[str, str, datetime, dict[str, Any]]  # (action, state after, when, detail)
AGENTS = ("li", "zhou")


def seed_cases(
    rng: random.Random, orders: Sequence[dict[str, Any]], signed: Mapping[int, datetime], now: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The cases and their audit rows: each case as far along as the time since its order's delivery allows."""
    cases: list[dict[str, Any]] = []
    audit: list[dict[str, Any]] = []
    for order in orders:
        at = signed.get(order["id"])
        if at is None or rng.random() >= SHARE:
            continue
        filed = at + timedelta(hours=rng.uniform(2, 72))
        if filed >= now:
            continue
        kind, reason, _ = rng.choices(ASKED, weights=[w for *_, w in ASKED])[0]
        steps = _steps(rng, kind, order["total"], filed, now)
        case_id = len(cases) + 1
        state, updated = steps[-1][1], steps[-1][2]
        cases.append({"id": case_id, "order_id": order["id"], "kind": kind, "state": state, "reason": reason,
                      "created_at": filed, "updated_at": updated, "version": len(steps), "filed_by": None,
                      "detail": {"request": kind}, "assignee": None})  # fmt: skip
        audit += [audit_row(actor, action, ("case", str(case_id)), detail, when) for actor, action, when, detail in
                  _audit(steps, rng)]  # fmt: skip
    return cases, audit


def _steps(
    rng: random.Random, kind: str, total: Any, filed: datetime, now: datetime
) -> list[tuple[str, str, datetime, dict[str, Any]]]:
    """(action, state after, when, detail) from filing on, as far as `now` lets them happen."""
    steps: list[tuple[str, str, datetime, dict[str, Any]]] = [("filed", "requested", filed, {})]
    decided = filed + timedelta(hours=rng.uniform(0.3, 20))
    if decided >= now:
        return steps
    if rng.random() >= APPROVED:
        return [*steps, ("reject", "rejected", decided, {"why": "超过售后时限"})]
    steps.append(("approve", "approved", decided, {}))
    later = decided + timedelta(days=rng.uniform(1, 4))
    if later >= now:
        return steps
    if kind == "exchange":
        steps.append(("receive_goods", "goods_received", later, {}))
        return steps
    steps.append(("refund", "refunded", later, {"amount": f"{total:.2f}"}))
    closed = later + timedelta(hours=rng.uniform(1, 24))
    return [*steps, ("close", "closed", closed, {})] if closed < now else steps


def _audit(
    steps: list[tuple[str, str, datetime, dict[str, Any]]], rng: random.Random
) -> list[tuple[str, str, datetime, dict[str, Any]]]:
    agent = f"agent:{rng.choice(AGENTS)}"
    return [("import" if action == "filed" else agent, f"case.{action}", when, {"to": state} | detail)
            for action, state, when, detail in steps]  # fmt: skip
