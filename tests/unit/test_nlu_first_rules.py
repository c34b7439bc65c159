"""The first rule-based parse: slots, the two-numbers case, and robustness on any input."""

from hypothesis import given, settings
from hypothesis import strategies as st

from nlu import INTENTS, parse


def test_order_question_with_a_number() -> None:
    result = parse("订单 4102938475610293847 到哪了")
    assert result.intent == "logistics" and result.slots["order_id"] == "4102938475610293847"


def test_a_bare_four_digit_message_is_a_phone_tail() -> None:
    assert parse(" 5821 ").slots == {"phone_tail": "5821"}
    assert parse("尾号是0915").slots["phone_tail"] == "0915"


def test_order_number_and_waybill_in_one_message_are_told_apart() -> None:
    result = parse("京东的276519384062 运单SF1402938475612")
    assert result.slots["order_id"] == "276519384062"
    assert result.slots["tracking_no"] == "SF1402938475612"


def test_a_mobile_number_is_neither_an_order_nor_a_waybill() -> None:
    assert parse("我手机13812345678").slots == {}


def test_full_width_digits_are_kept_as_written() -> None:
    assert (
        parse("订单４１０２９３８４７５６１０２９３８４７").slots["order_id"]
        == "４１０２９３８４７５６１０２９３８４７"
    )


def test_english_and_chinese_are_told_apart() -> None:
    assert parse("still not shipped?? pls hurry").lang == "en"
    assert parse("still not shipped?? pls hurry").intent == "urge_shipping"
    assert parse("怎么还不发货").lang == "zh"


def test_pinduoduo_numbers_keep_their_dash() -> None:
    assert parse("拼多多订单261119-688446343368382").slots["order_id"] == "261119-688446343368382"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=3000))
def test_any_text_gives_a_valid_parse(text: str) -> None:
    result = parse(text)
    assert result.intent in INTENTS
    assert 0.0 <= result.confidence <= 1.0
    assert result.lang in ("zh", "en")
    assert all(isinstance(value, str) and value for value in result.slots.values())
