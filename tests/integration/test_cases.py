"""After-sales cases in the store, SQLite and PostgreSQL: filed once, moved only legally, every move audited,
and of two agents acting on one case at the same moment exactly one wins."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from sqlalchemy import select

from oms_client.case_rules import CaseAction, CaseKind, CaseState, IllegalTransition
from oms_client.demo.seed import SeedResult, seed_store
from oms_client.domain import Case, CaseNotFound, DuplicateCase, Platform, SampleOrder, StaleCase
from oms_client.proofs import Proof
from oms_client.sql import models as m
from oms_client.sql.database import Database, open_database
from oms_client.sql.migrate import upgrade
from oms_client.stores.orders import SqlOrderStore
from tests.conftest import NOW, _admin

A = CaseAction


async def file_return(store: SqlOrderStore, sample: SampleOrder, by: str = "telegram:42") -> Case:
    detail = {"items": ["SKU-1"], "photos": []}
    return await store.file_case(
        sample.platform, sample.order_id, CaseKind.RETURN_REFUND, "尺码不合适", detail, by, NOW
    )


async def audit_actions(database: Database, case_id: int) -> list[str]:
    log = m.AuditLogRow
    query = select(log.action).where(log.subject_type == "case", log.subject_id == str(case_id)).order_by(log.id)
    async with database.read.connect() as conn:
        return list((await conn.scalars(query)).all())


async def test_a_return_goes_from_request_to_refund_with_every_step_audited(
    store: SqlOrderStore, seeded: SeedResult
) -> None:
    case = await file_return(store, seeded.samples[0])
    assert (case.state, case.version, case.filed_by) == (CaseState.REQUESTED, 1, "telegram:42")
    steps = [
        (A.APPROVE, "agent:li", None),
        (A.RECEIVE_GOODS, "agent:li", {"return_waybill": "SF1234567890123"}),
        (A.REFUND, "agent:wang", {"amount": "99.00"}),
        (A.CLOSE, "agent:wang", None),
    ]
    for action, actor, detail in steps:
        case = await store.act_on_case(case.id, action, actor, case.version, NOW, detail)
    assert (case.state, case.version) == (CaseState.CLOSED, 5)
    assert case.detail == {"items": ["SKU-1"], "photos": [], "return_waybill": "SF1234567890123", "amount": "99.00"}
    assert await audit_actions(store.database, case.id) == [
        "case.filed",
        "case.approve",
        "case.receive_goods",
        "case.refund",
        "case.close",
    ]


async def test_an_illegal_or_stale_action_changes_nothing_and_says_what_the_case_is_now(
    store: SqlOrderStore, seeded: SeedResult
) -> None:
    case = await file_return(store, seeded.samples[0])
    with pytest.raises(IllegalTransition):
        await store.act_on_case(case.id, A.REFUND, "agent:li", case.version, NOW)
    approved = await store.act_on_case(case.id, A.APPROVE, "agent:li", case.version, NOW)
    with pytest.raises(StaleCase) as stale:
        await store.act_on_case(case.id, A.REJECT, "agent:wang", case.version, NOW)
    assert stale.value.current == approved
    with pytest.raises(CaseNotFound):
        await store.act_on_case(999_999, A.APPROVE, "agent:li", 1, NOW)
    assert await store.get_case(case.id) == approved
    assert await audit_actions(store.database, case.id) == ["case.filed", "case.approve"]


async def test_the_same_request_filed_twice_is_one_case_until_it_is_finished(
    store: SqlOrderStore, seeded: SeedResult
) -> None:
    sample = seeded.samples[0]
    first = await file_return(store, sample)
    with pytest.raises(DuplicateCase) as duplicate:
        await file_return(store, sample, by="wechat:o123")
    assert duplicate.value.existing.id == first.id
    rejected = await store.act_on_case(first.id, A.REJECT, "agent:li", first.version, NOW, {"why": "超过7天"})
    again = await file_return(store, sample)
    assert again.id != rejected.id and again.state is CaseState.REQUESTED
    exchange = await store.file_case(sample.platform, sample.order_id, CaseKind.EXCHANGE, "换大一码", {}, None, NOW)
    assert exchange.id not in (first.id, again.id)
    with pytest.raises(CaseNotFound):
        await store.file_case(sample.platform, "NO-SUCH-ORDER", CaseKind.CANCEL, "", {}, None, NOW)


async def test_a_customer_sees_their_cases_and_agents_see_the_open_ones(
    store: SqlOrderStore, seeded: SeedResult
) -> None:
    sample = seeded.samples[0]
    [order] = [o for o in await store.find_orders(sample.order_id) if o.platform == sample.platform]
    filed = await file_return(store, sample)
    assert [c.id for c in await store.customer_cases([Proof.of(order)])] == [filed.id]
    assert await store.customer_cases([]) == []
    assert filed.id in [c.id for c in await store.open_cases(limit=500)]  # with the seed's own open cases
    closed = await store.act_on_case(filed.id, A.WITHDRAW, "telegram:42", filed.version, NOW)
    assert closed.state is CaseState.CLOSED and filed.id not in [c.id for c in await store.open_cases(limit=500)]


@pytest_asyncio.fixture
async def two_processes(postgres_url: str) -> AsyncIterator[tuple[SqlOrderStore, SqlOrderStore]]:
    """Two engines on one PostgreSQL schema: as two bot processes behind a load balancer would be."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    await _admin(postgres_url, f'CREATE SCHEMA "{schema}"')
    databases = [
        open_database(postgres_url, connect_args={"server_settings": {"search_path": schema}}) for _ in range(2)
    ]
    await upgrade(databases[0])
    await seed_store(databases[0], orders=60, seed=11, now=NOW)
    yield SqlOrderStore(databases[0]), SqlOrderStore(databases[1])
    for database in databases:
        await database.dispose()


@pytest.mark.postgres
async def test_two_agents_approving_and_rejecting_one_case_at_once_on_postgresql_one_wins(
    two_processes: tuple[SqlOrderStore, SqlOrderStore],
) -> None:
    first, second = two_processes
    async with first.database.read.connect() as conn:
        orders = (await conn.execute(select(m.OrderRow.platform, m.OrderRow.order_no).limit(20))).all()
    for platform, order_no in orders:
        case = await first.file_case(Platform(platform), order_no, CaseKind.RETURN_REFUND, "质量问题", {}, None, NOW)
        outcomes = await asyncio.gather(
            first.act_on_case(case.id, A.APPROVE, "agent:li", case.version, NOW),
            second.act_on_case(case.id, A.REJECT, "agent:wang", case.version, NOW),
            return_exceptions=True,
        )
        won = [o for o in outcomes if isinstance(o, Case)]
        lost = [o for o in outcomes if isinstance(o, StaleCase)]
        assert len(won) == 1 and len(lost) == 1, outcomes
        assert lost[0].current == won[0] == await second.get_case(case.id)
        assert len(await audit_actions(first.database, case.id)) == 2  # filed + the one winner
