"""nlu.parse: slots in every format, normalisation, negation, and a valid Parse for any input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlu import INTENTS, SLOTS, parse
from nlu.slots import canonical, courier_of_waybill

ORDER_NUMBERS = [
    "4102938475610293847",
    "281784721446627175",
    "276519384062",
    "36705590059",
    "241118-790048140395560",
    "6893383498032084651",
    "１０９１３５６５８００６",
]
WAYBILLS = {
    "SF1402938475612": "SF",
    "YT7512345678901": "YTO",
    "JT3072748079890": "JT",
    "JDX088089875136": "JD",
    "EA123456785CN": "EMS",
    "773250860970466": "STO",
    "78558383474099": "ZTO",
    "464834763079396": "YD",
}
NOT_NUMBERS = ["13812345678", "12345", "2026-11-22", "SF12345", "EA12345CN", "1234567"]


@pytest.mark.parametrize("number", ORDER_NUMBERS)
def test_order_numbers_of_every_platform_are_found_as_written(number: str) -> None:
    assert parse(f"订单{number}到哪了").slots["order_id"] == number
    assert parse(f"order {number} status").slots["order_id"] == number


@pytest.mark.parametrize(("waybill", "courier"), WAYBILLS.items())
def test_waybills_are_found_and_their_courier_inferred(waybill: str, courier: str) -> None:
    assert parse(f"单号{waybill}查一下").slots["tracking_no"] == waybill
    assert courier_of_waybill(waybill) == courier


@pytest.mark.parametrize("near_miss", NOT_NUMBERS)
def test_near_misses_are_neither_orders_nor_waybills(near_miss: str) -> None:
    slots = parse(f"我的 {near_miss} 怎么样了").slots
    assert "order_id" not in slots and "tracking_no" not in slots


def test_an_order_number_and_a_waybill_in_one_message_are_told_apart() -> None:
    slots = parse("京东的276519384062 运单SF1402938475612 两个都查下").slots
    assert slots["order_id"] == "276519384062" and slots["tracking_no"] == "SF1402938475612"


@pytest.mark.parametrize(
    ("text", "tail"),
    [
        ("尾号5821", "5821"),
        ("手机后四位 0915", "0915"),
        (" 2481 ", "2481"),
        ("后4位是7788", "7788"),
        ("last 4 digits 1234", "1234"),
    ],
)
def test_phone_tails(text: str, tail: str) -> None:
    assert parse(text).slots["phone_tail"] == tail


def test_a_full_phone_number_is_not_a_tail_nor_an_order() -> None:
    assert parse("我电话13812345678").slots == {}


def test_a_phone_like_number_called_an_order_is_an_order() -> None:
    assert parse("订单号１５９６２７６４８６６ 收货人改一下").slots["order_id"] == "１５９６２７６４８６６"


def test_couriers_are_kept_as_written_and_platforms_are_not_couriers() -> None:
    assert parse("发的顺丰吗").slots["courier"] == "顺丰"
    assert parse("is it SF Express").slots["courier"] == "SF Express"
    assert "courier" not in parse("京东上买的还没到").slots


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("退貨退款 東西有瑕疵", "return_refund"),  # traditional
        ("ｗｌ到哪了", "logistics"),  # full-width pinyin initials
        ("wl到哪了", "logistics"),
        ("zrg", "human_agent"),
        ("快第到哪了\u200b", "logistics"),  # typo and a zero-width space
        ("still not shipped?? pls hurry", "urge_shipping"),
        ("我要推货", "return_refund"),
    ],
)
def test_normalisation_sees_through_spelling(text: str, intent: str) -> None:
    assert parse(text).intent == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("不退了 换个大一码", "exchange"),
        ("不换了 直接退货", "return_refund"),
        ("不取消了 快点发货吧", "urge_shipping"),
        ("不要人工 发票怎么开", "other"),
    ],
)
def test_a_negated_request_is_not_the_request(text: str, intent: str) -> None:
    assert parse(text).intent == intent


def test_exchange_attribute_and_reason() -> None:
    slots = parse("鞋子太小了 换成42码的").slots
    assert slots["attribute"] == "42码" and slots["reason"] == "鞋子太小了"


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("颜色不喜欢 换成白的", "白"),
        ("给我换个粉的", "粉"),
        ("换双38的", "38"),
        ("我要换蓝色那款", "蓝色"),
        ("换成256G的", "256G"),
        ("鞋子小了想换大半码", "大半码"),
    ],
)
def test_the_attribute_wanted_is_found_as_buyers_write_it(text: str, wanted: str) -> None:
    parsed = parse(text)
    assert parsed.intent == "exchange" and parsed.slots.get("attribute") == wanted


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("拍错了 我要退货", "拍错了"),
        ("鞋子开胶了 退货退款", "鞋子开胶了"),
        ("收到的是二手的 我要退货", "收到的是二手的"),
    ],
)
def test_the_reason_is_the_clause_that_says_what_went_wrong(text: str, why: str) -> None:
    assert parse(text).slots.get("reason") == why


def test_reason_and_attribute_only_for_after_sales() -> None:
    assert not {"reason", "attribute"} & set(parse("物流怎么坏了 不动了").slots)


def test_empty_and_blank_messages_are_other_with_no_confidence() -> None:
    for text in ("", "   ", "\u200b\u200b"):
        result = parse(text)
        assert result.intent == "other" and result.confidence == 0.0 and result.slots == {}


def _valid(result) -> None:  # type: ignore[no-untyped-def]
    assert result.intent in INTENTS and 0.0 <= result.confidence <= 1.0 and result.lang in ("zh", "en")
    assert set(result.slots) <= set(SLOTS) and all(isinstance(v, str) and v for v in result.slots.values())
    assert all(intent in INTENTS for intent, _ in result.alternatives)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_a_valid_parse(text: str) -> None:
    _valid(parse(text))


@settings(max_examples=20, deadline=None)
@given(st.text(min_size=1, max_size=200).map(lambda piece: piece * (20_000 // len(piece))))
def test_huge_input_gives_a_valid_parse(text: str) -> None:
    _valid(parse(text))


@given(st.text(alphabet="0123456789-０１２３４５６７８９SFYTJDXCNEA尾号后四位 ", max_size=60))
def test_slot_values_are_always_substrings_of_the_message(text: str) -> None:
    for value in parse(text).slots.values():
        assert value in text


def test_parsing_from_many_threads_gives_the_same_answers() -> None:
    from concurrent.futures import ThreadPoolExecutor

    texts = ["订单4102938475610293847到哪了", "不退了 换个大一码", "转人工", "发票怎么开", "hello"] * 40
    expected = [parse(text) for text in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(parse, texts)) == expected


@pytest.mark.parametrize(
    ("text", "slot", "written", "kept"),
    [
        ("订单 3891 2044 5566 7701 123 到哪了", "order_id", "3891 2044 5566 7701 123", "3891204455667701123"),
        ("订单号3891-2044-5566-7701-123", "order_id", "3891-2044-5566-7701-123", "3891204455667701123"),
        ("运单 SF 1402 2877 6553 2 到哪了", "tracking_no", "SF 1402 2877 6553 2", "SF1402287765532"),
        ("尾号 8 0 0 0", "phone_tail", "8 0 0 0", "8000"),
        ("241118-123456789012345 到哪了", "order_id", "241118-123456789012345", "241118-123456789012345"),
    ],
)
def test_numbers_read_out_in_groups_are_found_and_kept_whole(text: str, slot: str, written: str, kept: str) -> None:
    found = parse(text).slots[slot]
    assert (found, canonical(found)) == (written, kept)


def test_small_numbers_in_a_sentence_are_not_joined_into_one() -> None:
    assert parse("买了 2 件 3 天了 还有 4 个没到").slots == {}
