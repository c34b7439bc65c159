"""Identity rules: no order detail without proof of ownership; failures are capped."""

from __future__ import annotations

from handlers.dialogue import Dialogue
from handlers.texts import say
from oms_client.clock import FixedClock
from oms_client.demo.seed import SeedResult
from oms_client.domain import OrderState
from oms_client.proofs import Proof
from oms_client.store import ChatUser
from oms_client.stores.orders import SqlOrderStore
from tests.helpers import ask, send, wrong_tail


def _sample(seeded: SeedResult, state: OrderState = OrderState.SHIPPED):
    return next(s for s in seeded.samples if s.state is state)


async def test_order_details_are_given_only_after_the_phone_tail(dialogue: Dialogue, seeded: SeedResult) -> None:
    sample = _sample(seeded)
    first = await ask(dialogue, f"订单 {sample.order_id} 到哪了")
    assert first == say("ask_phone_tail", "zh", order_no=sample.order_id)
    answer = await ask(dialogue, sample.phone_tail)
    assert "验证成功" in answer and sample.tracking_no in answer


async def test_order_number_and_tail_in_one_message_are_enough(dialogue: Dialogue, seeded: SeedResult) -> None:
    sample = _sample(seeded)
    answer = await ask(dialogue, f"{sample.order_id} 尾号{sample.phone_tail} 物流到哪了")
    assert sample.tracking_no in answer


async def test_unknown_order_and_wrong_digits_get_the_same_reply(dialogue: Dialogue, seeded: SeedResult) -> None:
    sample = _sample(seeded)
    await ask(dialogue, f"订单 {sample.order_id} 到哪了", user="a")
    wrong_digits = await ask(dialogue, wrong_tail(sample.phone_tail), user="a")
    await ask(dialogue, "订单 4999999999999999999 到哪了", user="b")
    no_such_order = await ask(dialogue, "1234", user="b")
    assert wrong_digits == no_such_order == say("no_match", "zh")


async def test_five_failures_an_hour_lock_the_user_and_offer_a_person(
    dialogue: Dialogue, seeded: SeedResult, clock: FixedClock
) -> None:
    sample = _sample(seeded)
    await ask(dialogue, f"订单 {sample.order_id} 到哪了")
    for _ in range(4):
        assert await ask(dialogue, wrong_tail(sample.phone_tail)) == say("no_match", "zh")
    fifth = await send(dialogue, wrong_tail(sample.phone_tail))
    assert fifth[0].text == say("locked", "zh")
    assert [b.label for b in fifth[0].buttons] == ["转人工"]
    assert sample.tracking_no not in await ask(dialogue, f"订单 {sample.order_id} 尾号{sample.phone_tail}")
    clock.advance(hours=1, minutes=1)
    assert sample.tracking_no in await ask(dialogue, f"订单 {sample.order_id} 尾号{sample.phone_tail} 物流")


async def test_ten_failures_a_day_close_the_order_to_tails_but_the_owner_proves_with_the_whole_phone(
    dialogue: Dialogue, seeded: SeedResult, store: SqlOrderStore, clock: FixedClock
) -> None:
    sample = _sample(seeded)
    for attempt in range(10):
        await ask(dialogue, f"订单 {sample.order_id} 尾号{wrong_tail(sample.phone_tail)}", user=f"probe{attempt}")
    owner = await ask(dialogue, f"订单 {sample.order_id} 尾号{sample.phone_tail}", user="owner")
    assert owner == say("ask_whole_phone", "zh", order_no=sample.order_id)
    [order] = await store.find_orders(sample.order_id)
    answer = await ask(dialogue, f"{order.receiver.phone}", user="owner")
    assert "验证成功" in answer and sample.tracking_no in answer
    clock.advance(days=1, minutes=1)
    assert sample.tracking_no in await ask(
        dialogue, f"订单 {sample.order_id} 尾号{sample.phone_tail} 物流", user="late"
    )


async def test_a_wrong_whole_phone_counts_against_the_guesser_not_the_order(
    dialogue: Dialogue, seeded: SeedResult
) -> None:
    sample = _sample(seeded)
    for attempt in range(12):
        await ask(dialogue, f"订单 {sample.order_id} 手机 1390000{attempt:04d}", user=f"probe{attempt}")
    assert sample.tracking_no in await ask(dialogue, f"订单 {sample.order_id} 尾号{sample.phone_tail}", user="owner")


async def test_a_verified_user_is_not_asked_again(dialogue: Dialogue, seeded: SeedResult) -> None:
    sample = _sample(seeded)
    await ask(dialogue, f"订单 {sample.order_id} 尾号{sample.phone_tail}")
    again = await ask(dialogue, f"订单 {sample.order_id} 到哪了")
    assert sample.tracking_no in again and "验证成功" not in again


async def test_proof_binds_only_the_chat_user_who_gave_it(
    dialogue: Dialogue, seeded: SeedResult, store: SqlOrderStore
) -> None:
    sample = _sample(seeded)
    await ask(dialogue, f"订单 {sample.order_id} 尾号{sample.phone_tail}", user="owner")
    stranger = await ask(dialogue, f"订单 {sample.order_id} 到哪了", user="stranger")
    assert stranger == say("ask_phone_tail", "zh", order_no=sample.order_id)
    assert await store.proofs(ChatUser("console", "stranger")) == frozenset()
    assert await store.proofs(ChatUser("telegram", "owner")) == frozenset()


async def test_my_orders_needs_proof_then_lists_newest_first(
    dialogue: Dialogue, seeded: SeedResult, store: SqlOrderStore
) -> None:
    assert await ask(dialogue, "我的订单") == say("ask_order_no", "zh")
    sample = _sample(seeded)
    await ask(dialogue, f"订单 {sample.order_id} 尾号{sample.phone_tail}")
    [order] = await store.find_orders(sample.order_id)
    expected = await store.recent_orders([Proof.of(order)], 5)
    replies = await send(dialogue, "还有别的订单吗")
    listed = [line for line in replies[0].text.splitlines()[1:] if line.strip()]
    assert [line.split(" ")[2] for line in listed] == [o.order_no for o in expected]
    assert [b.payload for b in replies[0].buttons] == [o.order_no for o in expected]


async def test_no_reply_shows_a_full_name_phone_or_street(
    dialogue: Dialogue, seeded: SeedResult, store: SqlOrderStore
) -> None:
    texts = []
    for sample in seeded.samples:
        texts.append(await ask(dialogue, f"订单 {sample.order_id} 尾号{sample.phone_tail}"))
        texts.append(await ask(dialogue, f"{sample.order_id} 物流"))
    texts.append(await ask(dialogue, "我的订单"))
    for sample in seeded.samples:
        [order] = await store.find_orders(sample.order_id)
        for text in texts:
            assert order.receiver.phone not in text
            assert order.receiver.detail not in text
            assert order.receiver.name not in text or len(order.receiver.name) == 1
    assert any("****" in text for text in texts)


async def test_proof_for_one_customer_does_not_open_another_customers_order(
    dialogue: Dialogue, seeded: SeedResult, store: SqlOrderStore
) -> None:
    owners = {s.order_id: (await store.find_orders(s.order_id))[0].customer_id for s in seeded.samples}
    mine = seeded.samples[0]
    other = next(s for s in seeded.samples if owners[s.order_id] != owners[mine.order_id])
    await ask(dialogue, f"订单 {mine.order_id} 尾号{mine.phone_tail}")
    assert await ask(dialogue, f"订单 {other.order_id} 怎么样了") == say(
        "ask_phone_tail", "zh", order_no=other.order_id
    )


async def test_locked_user_lock_covers_new_order_numbers_too(
    dialogue: Dialogue, seeded: SeedResult, clock: FixedClock
) -> None:
    for index in range(5):
        await ask(dialogue, f"订单 49999999999999999{index:02d} 尾号1234")
    sample = _sample(seeded, OrderState.DELIVERED)
    assert await ask(dialogue, f"订单 {sample.order_id} 尾号{sample.phone_tail}") == say("locked", "zh")
    clock.advance(hours=1, seconds=1)
    assert sample.order_id in await ask(dialogue, f"订单 {sample.order_id} 尾号{sample.phone_tail}")
