"""Random sequences of customers and agents working after-sales cases, against the real SQLite store.

Hypothesis drives filings and actions (some on a version that is no longer current, as a second agent's
would be); after every step: no case lost, each case where the rules say it must be (an approval the order
no longer allows leaves it where it was), every case's moves audited, and as many case audit rows as the
case has had versions.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule
from sqlalchemy import select

from oms_client.case_rules import (
    CUSTOMER_ACTIONS,
    FINISHED,
    CaseAction,
    CaseKind,
    CaseState,
    IllegalTransition,
    next_state,
)
from oms_client.demo.seed import seed_store
from oms_client.domain import CaseEffectRefused, DuplicateCase, Platform, StaleCase
from oms_client.sql import models as m
from oms_client.sql.database import open_database
from oms_client.sql.migrate import upgrade
from oms_client.stores.orders import SqlOrderStore
from tests.conftest import NOW

ORDERS = 6
AGENT_ACTIONS = sorted(set(CaseAction) - CUSTOMER_ACTIONS)
EFFECTS = {CaseKind.CANCEL, CaseKind.ADDRESS_CHANGE, CaseKind.INTERCEPT}  # approving them changes the order
_template: dict[str, object] = {}


def template_store() -> tuple[Path, list[tuple[str, str]]]:
    """A migrated, seeded SQLite file made once; each example works on a copy of it."""
    if not _template:
        folder = Path(tempfile.mkdtemp(prefix="xiaoer-cases-"))
        path = folder / "template.db"

        async def build() -> list[tuple[str, str]]:
            database = open_database(f"sqlite:///{path}")
            await upgrade(database)
            await seed_store(database, orders=40, seed=3, now=NOW)
            async with database.read.connect() as conn:
                rows = await conn.execute(select(m.OrderRow.platform, m.OrderRow.order_no).limit(ORDERS))
                orders = [(row.platform, row.order_no) for row in rows]
            await database.dispose()
            assert len(orders) == ORDERS
            return orders

        _template.update(path=path, orders=asyncio.run(build()))
    return _template["path"], _template["orders"]  # type: ignore[return-value]


@dataclass
class Expected:
    order: int
    kind: CaseKind
    state: CaseState = CaseState.REQUESTED
    version: int = 1


class CaseWorkflow(RuleBasedStateMachine):
    cases = Bundle("cases")

    def __init__(self) -> None:
        super().__init__()
        template, self.orders = template_store()
        self.folder = Path(tempfile.mkdtemp(prefix="xiaoer-case-run-"))
        shutil.copy(template, self.folder / "store.db")
        self.runner = asyncio.Runner()
        self.database = open_database(f"sqlite:///{self.folder / 'store.db'}")
        self.store = SqlOrderStore(self.database)
        self.expected: dict[int, Expected] = {}

    def run(self, coroutine):  # type: ignore[no-untyped-def]
        return self.runner.run(coroutine)

    @rule(target=cases, order=st.integers(0, ORDERS - 1), kind=st.sampled_from(CaseKind))
    def customer_files(self, order: int, kind: CaseKind) -> int:
        platform, order_no = self.orders[order]
        open_one = [
            i for i, e in self.expected.items() if (e.order, e.kind) == (order, kind) and e.state not in FINISHED
        ]
        try:
            case = self.run(self.store.file_case(Platform(platform), order_no, kind, "理由", {}, "web:v1", NOW))
        except DuplicateCase as duplicate:
            assert open_one == [duplicate.existing.id]
            return duplicate.existing.id
        assert not open_one, "a second open case of one kind for one order"
        self.expected[case.id] = Expected(order, kind)
        return case.id

    @rule(
        case=cases,
        action=st.sampled_from(AGENT_ACTIONS),
        agent=st.sampled_from(["agent:li", "agent:wang"]),
        stale=st.booleans(),
    )
    def agent_acts(self, case: int, action: CaseAction, agent: str, stale: bool) -> None:
        self._act(case, action, agent, stale)

    @rule(case=cases, action=st.sampled_from(sorted(CUSTOMER_ACTIONS)))
    def customer_acts(self, case: int, action: CaseAction) -> None:
        self._act(case, action, "web:v1", stale=False)

    def _act(self, case_id: int, action: CaseAction, actor: str, stale: bool) -> None:
        expected = self.expected[case_id]
        version = expected.version - 1 if stale and expected.version > 1 else expected.version
        try:
            after = next_state(expected.kind, expected.state, action)
        except IllegalTransition:
            after = None
        try:
            moved = self.run(self.store.act_on_case(case_id, action, actor, version, NOW))
        except StaleCase:
            assert version != expected.version
            return
        except IllegalTransition:
            assert after is None and version == expected.version
            return
        except CaseEffectRefused:  # the order no longer allows it (a cancel of a shipped order): nothing moves
            assert action is CaseAction.APPROVE and expected.kind in EFFECTS and version == expected.version
            return
        assert version == expected.version and moved.state is after
        expected.state, expected.version = moved.state, moved.version

    @invariant()
    def no_case_is_lost_and_each_is_where_the_rules_put_it(self) -> None:
        async def cases() -> dict[int, tuple[str, int]]:
            case = m.AfterSalesCaseRow
            async with self.database.read.connect() as conn:
                return {
                    r.id: (r.state, r.version) for r in await conn.execute(select(case.id, case.state, case.version))
                }

        assert self.run(cases()) == {i: (e.state.value, e.version) for i, e in self.expected.items()}

    @invariant()
    def audit_rows_are_the_legal_moves_one_per_version(self) -> None:
        async def moves() -> list[tuple[str, str, dict[str, object]]]:
            log = m.AuditLogRow
            query = select(log.subject_id, log.action, log.detail).where(log.subject_type == "case").order_by(log.id)
            async with self.database.read.connect() as conn:
                return [(r.subject_id, r.action, r.detail) for r in await conn.execute(query)]

        state: dict[int, CaseState] = {}
        for subject, action, detail in self.run(moves()):
            case_id = int(subject)
            if action == "case.filed":
                assert case_id not in state
                state[case_id] = CaseState.REQUESTED
                continue
            kind = self.expected[case_id].kind
            moved_to = next_state(kind, state[case_id], CaseAction(action.removeprefix("case.")))
            assert detail["from"] == state[case_id] and detail["to"] == moved_to
            state[case_id] = moved_to
        assert state == {i: e.state for i, e in self.expected.items()}

    def teardown(self) -> None:
        self.run(self.database.dispose())
        self.runner.close()
        shutil.rmtree(self.folder, ignore_errors=True)


CaseWorkflow.TestCase.settings = settings(
    max_examples=30, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestCaseWorkflow = CaseWorkflow.TestCase
