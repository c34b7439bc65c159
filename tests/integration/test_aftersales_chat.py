"""After-sales requests taken in chat, on SQLite and PostgreSQL: every kind from the happy path and from each
refusal, leaving mid-flow, duplicates, progress and the return waybill."""

from __future__ import annotations

from sqlalchemy import select

import nlu
from handlers.aftersales.policy import AfterSalesPolicy
from handlers.dialogue import Dialogue
from handlers.messages import Attachment, IncomingMessage, Reply
from handlers.texts import say
from oms_client.case_rules import CaseAction, CaseKind, CaseState
from oms_client.clock import FixedClock
from oms_client.domain import Case, Courier, OrderState
from oms_client.proofs import Proof
from oms_client.sql import models as m
from oms_client.sql.database import Database
from oms_client.store import ChatUser
from oms_client.stores.orders import SqlOrderStore
from tests.conftest import NOW, SHANGHAI
from tests.helpers import count_rows, send
from tests.orders import PlacedOrder, add_order


async def say_all(dialogue: Dialogue, *lines: str, user: str = "u1") -> str:
    """Send each line in turn; the text of the last answer."""
    replies: list[Reply] = []
    for line in lines:
        replies = await send(dialogue, line, user)
    return "\n".join(reply.text for reply in replies)


async def photo(dialogue: Dialogue, ref: str, user: str = "u1") -> str:
    message = IncomingMessage("console", user, user, "", (Attachment("image", ref),))
    return "\n".join(reply.text for reply in await dialogue.handle(message))


async def cases_of(store: SqlOrderStore, order: PlacedOrder) -> list[Case]:
    found = await store.find_orders(order.order_no)
    return [c for c in await store.customer_cases([Proof.of(found[0])], limit=50) if c.order_no == order.order_no]


async def case_audit(database: Database) -> list[tuple[str, str]]:
    log = m.AuditLogRow
    query = select(log.actor, log.action).where(log.subject_type == "case").order_by(log.id)
    async with database.read.connect() as conn:
        return [(row.actor, row.action) for row in await conn.execute(query)]


async def test_a_damaged_item_is_returned_with_photos_and_filed_after_confirmation(
    dialogue: Dialogue, store: SqlOrderStore, database: Database
) -> None:
    order = await add_order(database, OrderState.DELIVERED, items=2, signed_days_ago=2)
    assert await say_all(dialogue, "裤子破了个洞，我要退货") == say("as_ask_order_no", "zh", request="退货退款")
    await say_all(dialogue, order.order_no)
    items = await say_all(dialogue, order.phone_tail)
    assert "您要为哪件申请退货退款" in items and "2. 直筒牛仔裤 32码" in items
    assert "照片" in await say_all(dialogue, "2")  # the reason came with the first message: damage needs photos
    await photo(dialogue, "media:a1")
    confirm = await photo(dialogue, "media:a2")
    assert "已收到 2 张照片" in confirm and "商品：直筒牛仔裤 32码 ×1" in confirm and "原因：商品破损" in confirm
    assert await cases_of(store, order) == []  # nothing is filed before the customer confirms
    filed = await say_all(dialogue, "确认提交")
    [case] = await cases_of(store, order)
    assert f"#{case.id}" in filed and "退货退款" in filed
    assert (case.kind, case.state, case.reason, case.filed_by) == (
        CaseKind.RETURN_REFUND,
        CaseState.REQUESTED,
        "damaged",
        "console:u1",
    )
    assert case.detail["items"] == [{"sku": "JEANS-32", "title": "直筒牛仔裤 32码", "qty": 1}]
    assert case.detail["photos"] == ["media:a1", "media:a2"]
    assert await case_audit(database) == [("console:u1", "case.filed")]


async def test_an_exchange_asks_the_reason_then_the_size_and_keeps_both(
    dialogue: Dialogue, store: SqlOrderStore, database: Database
) -> None:
    order = await add_order(database, OrderState.DELIVERED, signed_days_ago=3)
    reason = await say_all(dialogue, f"订单 {order.order_no} 我要换货", order.phone_tail)
    assert "换货的原因" in reason
    assert await say_all(dialogue, "穿着有点小了") == say("as_ask_attribute", "zh")
    summary = await say_all(dialogue, "L码")
    assert "换成：L码" in summary and "原因：尺码不合适" in summary
    await say_all(dialogue, "确认")
    [case] = await cases_of(store, order)
    assert (case.kind, case.reason, case.detail["attribute"]) == (CaseKind.EXCHANGE, "wrong_size", "L码")


async def test_refund_only_is_taken_for_a_listed_reason_and_refused_with_the_alternative_for_others(
    dialogue: Dialogue, store: SqlOrderStore, database: Database
) -> None:
    order = await add_order(database, OrderState.DELIVERED, signed_days_ago=1)
    await say_all(dialogue, f"订单 {order.order_no} 申请仅退款", order.phone_tail)
    refused = await say_all(dialogue, "七天无理由")
    assert "不支持仅退款" in refused and say("as_instead_return_after_delivery", "zh") in refused
    assert await cases_of(store, order) == []
    await say_all(dialogue, "申请仅退款")
    summary = await say_all(dialogue, "没收到货")
    assert "原因：没收到货" in summary
    await say_all(dialogue, "确认提交")
    [case] = await cases_of(store, order)
    assert (case.kind, case.reason, "photos" in case.detail) == (CaseKind.REFUND_ONLY, "not_received", False)


async def test_cancelling_before_shipping_is_approved_by_the_bot_at_once(
    dialogue: Dialogue, store: SqlOrderStore, database: Database
) -> None:
    order = await add_order(database, OrderState.PAID)
    confirm = await say_all(dialogue, f"取消订单 {order.order_no}", order.phone_tail)
    assert "申请：取消订单" in confirm
    done = await say_all(dialogue, "确认")
    [case] = await cases_of(store, order)
    assert done == say("as_auto_cancel", "zh", order_no=order.order_no, case_id=case.id)
    assert (case.kind, case.state) == (CaseKind.CANCEL, CaseState.APPROVED)
    assert await case_audit(database) == [("console:u1", "case.filed"), ("bot", "case.approve")]


async def test_cancelling_a_shipped_order_asks_for_interception_or_says_to_refuse_the_parcel(
    store: SqlOrderStore, clock: FixedClock, database: Database
) -> None:
    policy = AfterSalesPolicy(intercept_couriers=frozenset({Courier.SF}))
    dialogue = Dialogue(store, nlu.parse, clock, SHANGHAI, policy=policy)
    by_sf = await add_order(database, OrderState.SHIPPED, courier="SF")
    by_zto = await add_order(database, OrderState.SHIPPED, courier="ZTO", phone="13912340000")
    summary = await say_all(dialogue, f"帮我取消订单 {by_sf.order_no}", by_sf.phone_tail)
    assert "申请：拦截退回" in summary and say("as_summary_intercept", "zh") in summary
    await say_all(dialogue, "确认提交")
    [case] = await cases_of(store, by_sf)
    assert (case.kind, case.state) == (CaseKind.INTERCEPT, CaseState.REQUESTED)  # an agent calls the courier
    refused = await say_all(dialogue, f"取消订单 {by_zto.order_no}", by_zto.phone_tail, user="u2")
    assert "不支持拦截" in refused and say("as_instead_refuse_delivery", "zh") in refused
    assert await cases_of(store, by_zto) == []


async def test_an_address_change_before_shipping_takes_a_real_address_and_is_done_at_once(
    dialogue: Dialogue, store: SqlOrderStore, database: Database
) -> None:
    order = await add_order(database, OrderState.PAID)
    asked = await say_all(dialogue, f"订单 {order.order_no} 要改地址", order.phone_tail)
    assert asked.endswith(say("as_ask_address", "zh"))
    assert await say_all(dialogue, "改一下") == say("as_address_hint", "zh")
    new_address = "浙江省杭州市滨江区长河街道江南大道 588 号 李四 13900001111"
    assert "新地址：" + new_address in await say_all(dialogue, new_address)
    await say_all(dialogue, "好的")
    [case] = await cases_of(store, order)
    assert (case.kind, case.state, case.detail["address"]) == (CaseKind.ADDRESS_CHANGE, CaseState.APPROVED, new_address)


async def test_every_refusal_says_why_and_what_to_do_instead_and_files_nothing(
    dialogue: Dialogue, store: SqlOrderStore, database: Database
) -> None:
    paid = await add_order(database, OrderState.PAID)
    shipped = await add_order(database, OrderState.SHIPPED, phone="13700001234")
    old = await add_order(database, OrderState.COMPLETED, signed_days_ago=30, phone="13600005678")
    cancelled = await add_order(database, OrderState.CANCELLED, phone="13500004321")
    expected = [
        (paid, "我要退货", "还没有发货", "as_instead_cancel_order"),
        (shipped, "我要退货", "还在运输途中", "as_instead_refuse_delivery"),
        (shipped, "我要改地址", "已经发货", "as_instead_ask_courier"),
        (old, "我要退货", "超过 15 天", "as_instead_talk_to_person"),
        (old, "我要换货", "超过 15 天", "as_instead_talk_to_person"),
        (cancelled, "我要退款", "已经已取消", "as_instead_talk_to_person"),
    ]
    for number, (order, request, why, instead) in enumerate(expected):
        user = f"r{number}"
        answer = await send(dialogue, f"{request} {order.order_no}", user)
        if "后四位" in answer[0].text:
            answer = await send(dialogue, order.phone_tail, user)
        if "原因" in answer[-1].text:  # a defect may have a longer window: the reason decides
            answer = await send(dialogue, "质量问题", user)
        text = answer[-1].text
        assert why in text and say(instead, "zh") in text, (request, text)
        assert say("btn_human", "zh") in [b.label for b in answer[-1].buttons]
    cancel_button = (await send(dialogue, f"我要退货 {paid.order_no}", "r0"))[-1].buttons[0]
    assert "申请：取消订单" in await say_all(dialogue, cancel_button.payload, user="r0")
    assert await count_rows(database, m.AfterSalesCaseRow) == 0


async def test_a_defect_found_after_the_no_reason_window_still_gets_the_longer_one(
    dialogue: Dialogue, store: SqlOrderStore, database: Database
) -> None:
    order = await add_order(database, OrderState.COMPLETED, signed_days_ago=10)
    assert "原因" in await say_all(dialogue, f"我要退货 {order.order_no}", order.phone_tail)
    assert "超过 7 天" in await say_all(dialogue, "七天无理由")
    await say_all(dialogue, "我要退货")
    assert "照片" in await say_all(dialogue, "质量问题")


async def test_never_mind_leaves_at_any_step_and_files_nothing(
    dialogue: Dialogue, store: SqlOrderStore, database: Database
) -> None:
    order = await add_order(database, OrderState.DELIVERED, items=3, signed_days_ago=1)
    await say_all(dialogue, f"订单 {order.order_no} 查一下", order.phone_tail)
    steps = {
        "items": [],
        "reason": ["1"],
        "photos": ["1", "质量问题"],
        "confirm": ["1", "质量问题", "[photo]"],
    }
    for step, answers in steps.items():
        await say_all(dialogue, "我要退货")
        for answer in answers:
            await (photo(dialogue, "media:p") if answer == "[photo]" else say_all(dialogue, answer))
        record = await store.load_conversation(ChatUser("console", "u1"))
        assert record is not None and record.state["draft"]["step"] == step
        leave, lang = {"items": ("算了", "zh"), "reason": ("不用了", "zh"), "photos": ("取消", "zh"),
                       "confirm": ("never mind", "en")}[step]  # fmt: skip
        assert await say_all(dialogue, leave) == say("as_left", lang)
    assert await count_rows(database, m.AfterSalesCaseRow) == 0


async def test_a_second_request_for_the_same_order_is_pointed_at_the_open_case(
    dialogue: Dialogue, store: SqlOrderStore, database: Database
) -> None:
    order = await add_order(database, OrderState.DELIVERED, signed_days_ago=1)
    await say_all(dialogue, f"订单 {order.order_no} 我要退货", order.phone_tail, "不喜欢", "确认提交")
    [case] = await cases_of(store, order)
    again = await say_all(dialogue, f"订单 {order.order_no} 我要退货")
    assert again == say("as_duplicate", "zh", order_no=order.order_no, request="退货退款", case_id=case.id,
                        state="待处理")  # fmt: skip
    assert len(await cases_of(store, order)) == 1


async def test_progress_lists_the_cases_and_an_approved_return_takes_the_waybill(
    dialogue: Dialogue, store: SqlOrderStore, database: Database
) -> None:
    order = await add_order(database, OrderState.DELIVERED, signed_days_ago=1)
    assert await say_all(dialogue, "我的售后进度") == say("ask_order_no", "zh")
    assert await say_all(dialogue, order.order_no, order.phone_tail) == "验证成功 ✅\n" + say("as_progress_none", "zh")
    await say_all(dialogue, "我要退货", "七天无理由", "确认提交")
    [case] = await cases_of(store, order)
    assert f"#{case.id} 退货退款 · 订单 {order.order_no} · 待处理" in await say_all(dialogue, "售后进度")
    case = await store.act_on_case(case.id, CaseAction.APPROVE, "agent:li", case.version, NOW)
    assert "请把商品寄回" in await say_all(dialogue, "我的售后进度")
    taken = await say_all(dialogue, "退货单号 SF1234567890123")
    assert "SF1234567890123" in taken and "顺丰速运" in taken and f"#{case.id}" in taken
    case = await store.get_case(case.id)
    assert (case.state, case.detail["return_waybill"], case.detail["return_courier"]) == (
        CaseState.APPROVED,
        "SF1234567890123",
        "SF",
    )
    assert ("console:u1", "case.send_back") in await case_audit(database)
    assert "退货单号：顺丰速运 SF1234567890123" in await say_all(dialogue, "我的售后进度")


async def test_an_english_customer_is_asked_and_answered_in_english(
    dialogue: Dialogue, store: SqlOrderStore, database: Database
) -> None:
    order = await add_order(database, OrderState.DELIVERED, signed_days_ago=1)
    assert await say_all(dialogue, f"I want to return order {order.order_no}", order.phone_tail) == (
        "Verified ✅\n" + say("as_ask_reason", "en", request="return and refund")
    )
    summary = await say_all(dialogue, "Changed my mind")
    assert "Reason: Changed my mind" in summary and summary.endswith("Shall I file it?")
    assert "is filed" in await say_all(dialogue, "yes")


async def test_a_restart_in_the_middle_of_a_request_loses_nothing(
    store: SqlOrderStore, clock: FixedClock, database: Database
) -> None:
    order = await add_order(database, OrderState.DELIVERED, items=2, signed_days_ago=1)
    before = Dialogue(store, nlu.parse, clock, SHANGHAI)
    await say_all(before, f"订单 {order.order_no} 我要退货", order.phone_tail, "1")
    after = Dialogue(store, nlu.parse, clock, SHANGHAI)
    assert "商品：纯棉T恤 黑色 M ×1" in await say_all(after, "拍错了")
    await say_all(after, "确认提交")
    assert len(await cases_of(store, order)) == 1
