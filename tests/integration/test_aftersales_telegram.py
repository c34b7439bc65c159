"""A return from request to refund with both sides on Telegram, on SQLite and PostgreSQL: the customer files
it with a photo, the agent sees the photo, decides from buttons, and the customer hears of every step.

The real app over HTTP, aiogram against the fake Bot API; the photo is downloaded from the fake as Telegram
hands files out, kept in the store, and shown to the agent as a photo of their own chat.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import select

from oms_client.case_rules import CaseKind, CaseState
from oms_client.chats.media import stored_id
from oms_client.domain import OrderState
from oms_client.sql import models as m
from oms_client.sql.database import Database
from tests.fakes.telegram_api import Sent
from tests.helpers import count_rows, kept
from tests.integration.test_handoff import LI_TELEGRAM, PHOTO, SHOP, TELEGRAM_CUSTOMER
from tests.integration.test_telegram import Rig, start_rig
from tests.orders import PlacedOrder, add_order


@pytest_asyncio.fixture
async def rig(database: Database, tmp_path: Path) -> AsyncIterator[Rig]:
    async with start_rig(database, tmp_path, shop_toml=SHOP) as built:
        yield built


async def customer(rig: Rig, text: str) -> str:
    """What the Telegram customer reads in answer to one message."""
    return await _answered(rig, rig.api.text_update(TELEGRAM_CUSTOMER, text))


async def customer_photo(rig: Rig, data: bytes | None) -> str:
    """The customer sends a photo; `data` None: Telegram has no file behind its id any more."""
    return await _answered(rig, rig.api.photo_update(TELEGRAM_CUSTOMER, data=data))


async def _answered(rig: Rig, update: dict[str, Any]) -> str:
    return "\n".join(sent.text for sent in await rig.say(update) if sent.chat_id == str(TELEGRAM_CUSTOMER))


async def told(rig: Rig) -> str:
    """What the customer is told of moves made by someone else (the case updates job runs once)."""
    before = len(rig.api.sent)
    await rig.app.case_updates.tick()
    await rig.settle()
    return "\n".join(sent.text for sent in rig.api.sent[before:] if sent.chat_id == str(TELEGRAM_CUSTOMER))


async def agent_presses(rig: Rig, sent: Sent, label: str) -> list[Sent]:
    return [s for s in await rig.say(rig.api.press(sent, label, LI_TELEGRAM)) if s.chat_id == str(LI_TELEGRAM)]


async def test_a_return_with_a_photo_from_request_to_refund_with_customer_and_agent_on_telegram(
    rig: Rig, database: Database
) -> None:
    order = await add_order(database, OrderState.DELIVERED, signed_days_ago=2)
    await rig.app.case_updates.tick()  # the feed starts at the log's end
    assert "订单号" in await customer(rig, "衣服收到就是破的，我要退货")
    await customer(rig, order.order_no)
    assert "照片" in await customer(rig, order.phone_tail)  # damage needs photos
    assert "已收到 1 张照片" in await customer_photo(rig, PHOTO)
    assert rig.api.downloads == 1  # fetched once, when the photo came in
    filed = await customer(rig, "确认提交")
    [case] = await rig.app.store.open_cases()
    assert f"#{case.id}" in filed and case.state is CaseState.REQUESTED
    [ref] = case.detail["photos"]
    assert stored_id(ref) is not None  # kept here: Telegram's file id would mean nothing on another channel

    assert await told(rig) == ""  # the customer's own filing was answered in the chat
    [news] = [sent for sent in rig.api.sent if sent.chat_id == str(LI_TELEGRAM)]
    assert news.text.startswith(f"🆕 新的售后申请 #{case.id} 退货退款") and "照片：1 张" in news.text
    view, picture = await agent_presses(rig, news, f"查看 #{case.id}")
    assert "13812345678" in view.text and picture.photo == kept(PHOTO)  # the agent sees the evidence itself
    [approved] = await agent_presses(rig, view, "同意")
    assert "已记录" in approved.text

    approval = await told(rig)
    assert f"退货退款申请 #{case.id}" in approval and "已同意" in approval and "寄回" in approval
    assert "顺丰速运" in await customer(rig, "寄回了，单号 SF1234567890123")
    [opened] = [s for s in await rig.say(rig.api.text_update(LI_TELEGRAM, f"/case {case.id}"))
                if s.chat_id == str(LI_TELEGRAM) and s.text]  # fmt: skip
    assert "SF1234567890123" in opened.text
    [received] = await agent_presses(rig, opened, "已收到退货")
    assert "已记录" in received.text
    assert "退回的商品已收到" in await told(rig)
    await rig.say(rig.api.text_update(LI_TELEGRAM, f"/refund {case.id} 99.00"))
    assert "已为您退款 ¥99.00" in await told(rig)
    await rig.say(rig.api.text_update(LI_TELEGRAM, f"/close {case.id}"))
    assert "已处理完毕" in await told(rig)
    assert (await rig.app.store.get_case(case.id)).state is CaseState.CLOSED


async def test_a_photo_telegram_no_longer_has_still_counts_and_the_agent_is_told_it_cannot_be_shown(
    rig: Rig, database: Database
) -> None:
    order = await add_order(database, OrderState.DELIVERED, signed_days_ago=2)
    for line in ("衣服收到就是破的，我要退货", order.order_no, order.phone_tail):
        await customer(rig, line)
    assert "已收到 1 张照片" in await customer_photo(rig, None)  # getFile refuses the id
    await customer(rig, "确认提交")
    [case] = await rig.app.store.open_cases()
    [view] = [s for s in await rig.say(rig.api.text_update(LI_TELEGRAM, f"/case {case.id}"))
              if s.chat_id == str(LI_TELEGRAM)]  # fmt: skip
    assert "照片：1 张" in view.text and "（1 张图片已无法显示）" in view.text and view.photo is None


ADDRESS = "浙江省杭州市滨江区长河街道江南大道 588 号 李四 13900001111"
# Each request kind as a Telegram customer makes it: typed lines, and "▶ label" for pressing a button under
# the bot's last message; then the case it files (kind, state).
REQUESTS = {
    "exchange": (OrderState.DELIVERED, ["订单 {no} 我要换货", "{tail}", "穿着有点小了", "L码", "▶ 确认提交"],
                 (CaseKind.EXCHANGE, CaseState.REQUESTED)),
    "refund_only": (OrderState.DELIVERED, ["订单 {no} 申请仅退款", "{tail}", "没收到货", "▶ 确认提交"],
                    (CaseKind.REFUND_ONLY, CaseState.REQUESTED)),
    "cancel": (OrderState.PAID, ["取消订单 {no}", "{tail}", "▶ 确认提交"], (CaseKind.CANCEL, CaseState.APPROVED)),
    "intercept": (OrderState.SHIPPED, ["帮我取消订单 {no}", "{tail}", "▶ 确认提交"],
                  (CaseKind.INTERCEPT, CaseState.REQUESTED)),
    "address_change": (OrderState.PAID, ["订单 {no} 要改地址", "{tail}", ADDRESS, "▶ 确认提交"],
                       (CaseKind.ADDRESS_CHANGE, CaseState.APPROVED)),
}  # fmt: skip


async def run_script(rig: Rig, lines: list[str], order: PlacedOrder) -> list[Sent]:
    """Type or press each step as the customer; what the customer's chat received in answer to the last."""
    answer: list[Sent] = []
    for line in lines:
        if line.startswith("▶ "):
            pressed = next(sent for sent in reversed(answer) if sent.buttons)
            update = rig.api.press(pressed, line.removeprefix("▶ "))
        else:
            update = rig.api.text_update(TELEGRAM_CUSTOMER, line.format(no=order.order_no, tail=order.phone_tail))
        answer = [sent for sent in await rig.say(update) if sent.chat_id == str(TELEGRAM_CUSTOMER)]
    return answer


@pytest.mark.parametrize("request_kind", list(REQUESTS))
async def test_each_request_kind_is_filed_from_telegram_with_its_buttons(
    rig: Rig, database: Database, request_kind: str
) -> None:
    state, lines, filed = REQUESTS[request_kind]
    order = await add_order(database, state, signed_days_ago=3 if state is OrderState.DELIVERED else None)
    done = await run_script(rig, lines, order)
    async with database.read.connect() as conn:
        [case_id] = (await conn.scalars(select(m.AfterSalesCaseRow.id))).all()
    case = await rig.app.store.get_case(case_id)
    assert (case.kind, case.state) == filed and case.filed_by == f"telegram:{TELEGRAM_CUSTOMER}"
    assert f"#{case.id}" in "\n".join(sent.text for sent in done)
    assert len(rig.api.answered) == 1  # the button press was answered: no spinner left on the phone


async def test_a_refused_return_offers_a_person_and_pressing_it_queues_the_chat_for_an_agent(
    rig: Rig, database: Database
) -> None:
    order = await add_order(database, OrderState.SHIPPED)
    refused = await run_script(rig, ["我要退货 {no}", "{tail}"], order)
    assert "还在运输途中" in refused[-1].text and await count_rows(database, m.AfterSalesCaseRow) == 0
    [handed] = [s for s in await rig.say(rig.api.press(refused[-1], "转人工")) if s.chat_id == str(TELEGRAM_CUSTOMER)]
    assert "人工" in handed.text
    [push] = [sent for sent in rig.api.sent if sent.chat_id == str(LI_TELEGRAM)]
    assert push.text.startswith("🔔 转人工 #") and f"{order.order_no}（已验证）" in push.text
