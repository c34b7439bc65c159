"""Seeded order and waybill numbers have the real shapes, and the NLU classifies them the same way."""

import random
import re
from datetime import UTC, datetime

import pytest

from nlu.slots import classify_number
from oms_client.demo.numbers import order_number, s10_check_digit, waybill_number
from oms_client.domain import Courier, Platform

ORDER_SHAPES = {
    Platform.TAOBAO: r"[1-4]\d{17,18}",
    Platform.TMALL: r"[1-4]\d{17,18}",
    Platform.JD: r"[23]\d{10,11}",
    Platform.PDD: r"261122-\d{15}",
    Platform.DOUYIN: r"[56]\d{18}",
    Platform.WXSHOP: r"3\d{18}",
    Platform.POS: r"POS20261122\d{6}",
}
WAYBILL_SHAPES = {
    Courier.SF: r"SF1\d{12}",
    Courier.ZTO: r"7[358]\d{12}",
    Courier.YTO: r"YT\d{13}",
    Courier.YUNDA: r"(43|46|31)\d{13}",
    Courier.STO: r"773\d{12}",
    Courier.JT: r"JT\d{13}",
    Courier.JD: r"JD[XV]0\d{11}",
    Courier.EMS: r"E[A-Z]\d{9}CN",
}


@pytest.mark.parametrize("platform", list(Platform))
def test_order_numbers_have_the_platforms_shape(platform: Platform) -> None:
    rng = random.Random(1)
    for _ in range(200):
        number = order_number(rng, platform, datetime(2026, 11, 22, tzinfo=UTC))
        assert re.fullmatch(ORDER_SHAPES[platform], number), number
        if platform is not Platform.POS:
            assert classify_number(number.lower()) == "order_id", number


@pytest.mark.parametrize("courier", list(Courier))
def test_waybills_have_the_couriers_shape_and_are_never_order_numbers(courier: Courier) -> None:
    rng = random.Random(2)
    for _ in range(200):
        number = waybill_number(rng, courier)
        assert re.fullmatch(WAYBILL_SHAPES[courier], number), number
        assert classify_number(number.lower()) == "tracking_no", number


def test_ems_check_digit_follows_upu_s10() -> None:
    # The worked example published with the S10 standard: serial 47312482 has check digit 9.
    assert s10_check_digit("47312482") == "9"
    assert s10_check_digit("12345678") == "5"
    assert s10_check_digit("00000000") == "5"
