"""What an approved case does to its order, on SQLite and PostgreSQL: a cancel closes it and releases its
demand, an address change writes the receiver (the old one audited), an intercept marks the parcel; an order
that moved on refuses the effect and leaves the case as it was; with events on, each move is queued in order."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from handlers.dialogue import Dialogue
from oms_client.case_rules import CaseAction, CaseKind, CaseState
from oms_client.domain import Case, CaseEffectRefused, OrderState, Platform
from oms_client.events import EVENTS_TARGET
from oms_client.sql import models as m
from oms_client.sql.database import Database
from oms_client.stores.erasure import mask_receivers
from oms_client.stores.orders import SqlOrderStore
from tests.conftest import NOW
from tests.helpers import ask
from tests.orders import ITEMS, PlacedOrder, add_order

A = CaseAction


async def _demand(database: Database, sku: str) -> int:
    async with database.read.connect() as conn:
        return int(await conn.scalar(select(m.SkuDemandRow.committed).where(m.SkuDemandRow.sku == sku)) or 0)


async def _order_row(database: Database, order: PlacedOrder) -> m.OrderRow:
    async with database.read.connect() as conn:
        row = (await conn.execute(select(m.OrderRow).where(m.OrderRow.order_no == order.order_no))).one()
    return row  # type: ignore[return-value]


async def _order_audit(database: Database, order: PlacedOrder) -> list[tuple[str, dict[str, object]]]:
    log = m.AuditLogRow
    query = select(log.action, log.detail).where(log.subject_id == f"tmall:{order.order_no}").order_by(log.id)
    async with database.read.connect() as conn:
        return [(row.action, row.detail) for row in await conn.execute(query)]


async def _file(
    store: SqlOrderStore, order: PlacedOrder, kind: CaseKind, detail: dict[str, object] | None = None
) -> Case:
    return await store.file_case(Platform.TMALL, order.order_no, kind, "不想要了", detail or {}, "telegram:7", NOW)


async def test_an_approved_cancel_closes_the_order_and_releases_its_demand(
    store: SqlOrderStore, database: Database
) -> None:
    order = await add_order(database, OrderState.PAID)
    sku = ITEMS[0][0]
    before = await _demand(database, sku)
    case = await _file(store, order, CaseKind.CANCEL)
    await store.act_on_case(case.id, A.APPROVE, "agent:li", case.version, NOW)
    assert (await _order_row(database, order)).state == OrderState.CANCELLED
    assert await _demand(database, sku) == before - 1
    [(action, detail)] = await _order_audit(database, order)
    assert (action, detail["from"], detail["to"]) == ("order.cancel", "paid", "cancelled")


async def test_a_cancel_approved_after_the_order_shipped_changes_nothing_and_says_why(
    store: SqlOrderStore, database: Database
) -> None:
    order = await add_order(database, OrderState.PAID)
    case = await _file(store, order, CaseKind.CANCEL)
    async with database.write.begin() as conn:  # the warehouse ships it (an import, the API) meanwhile
        await conn.execute(update(m.OrderRow).where(m.OrderRow.order_no == order.order_no).values(state="shipped"))
    with pytest.raises(CaseEffectRefused) as refused:
        await store.act_on_case(case.id, A.APPROVE, "agent:li", case.version, NOW)
    assert refused.value.order_state is OrderState.SHIPPED
    after = await store.get_case(case.id)
    assert (after.state, after.version) == (CaseState.REQUESTED, case.version)
    assert (await _order_row(database, order)).state == OrderState.SHIPPED


async def test_an_approved_address_change_writes_the_receiver_and_audits_the_old_one(
    store: SqlOrderStore, database: Database
) -> None:
    order = await add_order(database, OrderState.PAID)
    typed = "广东省深圳市南山区科苑路 15 号 李四 13900001111"
    case = await _file(store, order, CaseKind.ADDRESS_CHANGE, {"address": typed})
    await store.act_on_case(case.id, A.APPROVE, "agent:li", case.version, NOW)
    row = await _order_row(database, order)
    assert (row.receiver_province, row.receiver_city, row.receiver_district, row.receiver_detail) == (
        "广东省", "深圳市", "南山区", "科苑路15号"
    )  # fmt: skip
    assert (row.receiver_name, row.receiver_phone) == ("张三", "13812345678")
    [(action, detail)] = await _order_audit(database, order)
    assert action == "order.address_change"
    assert detail["from"] == {"name": "张三", "phone": "13812345678", "province": "浙江省", "city": "杭州市",
                              "district": "西湖区", "address": "文三路 1 号"}  # fmt: skip
    async with database.write.begin() as conn:  # the person asks to be erased once the order is old
        await conn.run_sync(mask_receivers, "13812345678", NOW + timedelta(days=400))
    [(_, erased)] = await _order_audit(database, order)
    assert erased == {}


async def test_an_approved_intercept_marks_the_parcel_on_its_way_and_the_customer_sees_it(
    store: SqlOrderStore, database: Database, dialogue: Dialogue
) -> None:
    order = await add_order(database, OrderState.SHIPPED, courier="SF")
    case = await _file(store, order, CaseKind.INTERCEPT)
    await store.act_on_case(case.id, A.APPROVE, "agent:li", case.version, NOW)
    [found] = await store.find_orders(order.order_no)
    assert found.shipments[0].intercept_requested_at == NOW
    await ask(dialogue, f"订单 {order.order_no} 到哪了")
    assert "已向快递申请拦截退回" in await ask(dialogue, order.phone_tail)


async def test_with_events_on_each_move_and_effect_is_queued_once_in_order(database: Database) -> None:
    store = SqlOrderStore(database, publish_events=True)
    order = await add_order(database, OrderState.PAID)
    case = await _file(store, order, CaseKind.CANCEL)
    case = await store.act_on_case(case.id, A.APPROVE, "agent:li", case.version, NOW)
    await store.act_on_case(case.id, A.REFUND, "agent:li", case.version, NOW, {"amount": "99.00"})
    outbox = m.OutboxRow
    query = select(outbox.payload, outbox.stream, outbox.dedupe_key).where(outbox.target == EVENTS_TARGET)
    async with database.read.connect() as conn:
        rows = (await conn.execute(query.order_by(outbox.id))).all()
    assert [row.payload["event"] for row in rows] == ["case.requested", "case.approved", "order.cancelled",
                                                      "case.refunded"]  # fmt: skip
    assert {row.stream for row in rows} == {f"tmall:{order.order_no}"}
    assert all(row.payload["id"] == row.dedupe_key for row in rows)
    refunded = rows[3].payload["data"]
    assert (refunded["amount"], refunded["previous_state"], refunded["order_id"]) == (
        "99.00",
        "approved",
        order.order_no,
    )


async def test_a_customer_told_cancelled_finds_the_order_cancelled(database: Database, dialogue: Dialogue) -> None:
    order = await add_order(database, OrderState.PAID)
    await ask(dialogue, f"取消订单 {order.order_no}")
    await ask(dialogue, order.phone_tail)
    assert f"订单 {order.order_no} 已为您取消" in await ask(dialogue, "确认")
    assert (await _order_row(database, order)).state == OrderState.CANCELLED
