"""Identity under attack: a burst of guesses, a gift recipient, what input methods type."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from handlers.dialogue import Dialogue
from handlers.texts import say
from oms_client.case_rules import CaseKind
from oms_client.demo.seed import SeedResult
from oms_client.domain import Order, OrderState
from oms_client.sql import models as m
from oms_client.stores.orders import SqlOrderStore
from tests.helpers import ask, send

BURST = 300


def _full_width(digits: str) -> str:
    return "".join(chr(ord(d) - ord("0") + ord("０")) for d in digits)


async def _failures(store: SqlOrderStore, order_no: str) -> int:
    table = m.VerificationFailureRow
    async with store.database.read.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table).where(table.order_no == order_no)) or 0)


async def _burst(dialogue: Dialogue, order_no: str, tails: list[str], prefix: str) -> list[str]:
    """Every tail at once, each from a new visitor, as N web visitors posting together would."""
    turns = [ask(dialogue, f"订单 {order_no} 尾号 {tail}", user=f"{prefix}{i}") for i, tail in enumerate(tails)]
    return list(await asyncio.gather(*turns))


async def test_a_burst_of_guesses_gets_no_more_than_ten_judged_and_then_the_right_tail_is_refused(
    dialogue: Dialogue, seeded: SeedResult, store: SqlOrderStore
) -> None:
    sample = next(s for s in seeded.samples if s.state is OrderState.SHIPPED)
    wrong = [f"{n:04d}" for n in range(10_000) if f"{n:04d}" != sample.phone_tail][:BURST]
    answers = await _burst(dialogue, sample.order_id, wrong, "a")
    assert await _failures(store, sample.order_id) == 10
    assert answers.count(say("no_match", "zh")) == 9  # the tenth says the tails are spent
    later = [*wrong[: BURST // 2], sample.phone_tail, *wrong[BURST // 2 :]]
    answers = await _burst(dialogue, sample.order_id, later, "b")
    assert not any(sample.tracking_no in answer for answer in answers)
    assert set(answers) == {say("ask_whole_phone", "zh", order_no=sample.order_id)}
    assert await _failures(store, sample.order_id) == 10


async def _gift(store: SqlOrderStore, seeded: SeedResult) -> tuple[Order, list[Order]]:
    """An order shipped to someone other than its buyer, and the buyer's orders to other phones."""
    async with store.database.read.connect() as conn:
        rows = (
            await conn.execute(
                select(m.OrderRow.order_no)
                .join(m.CustomerRow, m.CustomerRow.id == m.OrderRow.customer_id)
                .where(m.OrderRow.receiver_phone != m.CustomerRow.phone, m.OrderRow.state == "paid")
            )
        ).all()
    for (order_no,) in rows:
        [gift] = await store.find_orders(order_no)
        async with store.database.read.connect() as conn:
            others = (
                await conn.scalars(
                    select(m.OrderRow.order_no).where(
                        m.OrderRow.customer_id == gift.customer_id, m.OrderRow.receiver_phone != gift.receiver.phone
                    )
                )
            ).all()
        if others:
            return gift, [o for n in others for o in await store.find_orders(n) if o.customer_id == gift.customer_id]
    raise AssertionError("the seed made no gift order beside other orders of its buyer")


async def test_a_gift_recipient_sees_and_acts_on_the_gift_only(
    dialogue: Dialogue, seeded: SeedResult, store: SqlOrderStore
) -> None:
    gift, buyers = await _gift(store, seeded)
    assert "验证成功" in await ask(dialogue, f"订单 {gift.order_no} 尾号{gift.receiver.phone[-4:]}", user="recipient")
    said = [await ask(dialogue, "我的订单", user="recipient")]
    assert gift.order_no in said[0]
    for other in buyers:
        asked = await ask(dialogue, f"订单 {other.order_no} 到哪了", user="recipient")
        assert asked == say("ask_phone_tail", "zh", order_no=other.order_no)
        said.append(await ask(dialogue, f"取消订单 {other.order_no}", user="recipient"))
        said.append(await ask(dialogue, "算了", user="recipient"))
    for request in ("我要取消订单", "我要改地址", "我的售后进度"):
        replies = await send(dialogue, request, user="recipient")
        said += [reply.text for reply in replies] + [b.payload for reply in replies for b in reply.buttons]
        said.append(await ask(dialogue, "算了", user="recipient"))
    shown = "\n".join(said)
    for other in buyers:
        assert other.receiver.phone[-4:] not in shown.replace(other.order_no, "")
        assert await store.open_case(other.platform, other.order_no, CaseKind.CANCEL) is None
    assert not any(f"{o.order_no}（" in shown or f"{o.order_no} ·" in shown for o in buyers)


async def test_full_width_digits_from_an_input_method_verify(dialogue: Dialogue, seeded: SeedResult) -> None:
    sample = next(s for s in seeded.samples if s.state is OrderState.SHIPPED)
    answer = await ask(dialogue, f"订单 {_full_width(sample.order_id)} 到哪了 尾号 {_full_width(sample.phone_tail)}")
    assert "验证成功" in answer and sample.tracking_no in answer
