"""Order and waybill numbers in the shapes the platforms and couriers really issue."""

from __future__ import annotations

import random
from datetime import datetime

from oms_client.domain import Courier, Platform

_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def _digits(rng: random.Random, count: int, first: str = "123456789") -> str:
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(count - 1))


def order_number(rng: random.Random, platform: Platform, created_at: datetime) -> str:
    """Taobao/Tmall 18–19 digits, JD 11–12, Pinduoduo YYMMDD-+15, Douyin 19 from 5/6, others own."""
    if platform in (Platform.TAOBAO, Platform.TMALL):
        return _digits(rng, rng.choice((18, 19)), "1234")
    if platform is Platform.JD:
        return _digits(rng, rng.choice((11, 12)), "23")
    if platform is Platform.PDD:
        return created_at.strftime("%y%m%d") + "-" + _digits(rng, 15, "0123456789")
    if platform is Platform.DOUYIN:
        return _digits(rng, 19, "56")
    if platform is Platform.WXSHOP:
        return _digits(rng, 19, "3")
    return "POS" + created_at.strftime("%Y%m%d") + _digits(rng, 6, "0123456789")


def s10_check_digit(serial: str) -> str:
    """UPU S10 check digit over an 8-digit serial, as on EMS waybills (EA123456785CN)."""
    remainder = sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS, strict=True)) % 11
    check = 11 - remainder
    return "0" if check == 10 else "5" if check == 11 else str(check)


def waybill_number(rng: random.Random, courier: Courier) -> str:
    if courier is Courier.SF:
        return "SF" + _digits(rng, 13, "1")
    if courier is Courier.ZTO:
        return "7" + rng.choice("358") + _digits(rng, 12, "0123456789")
    if courier is Courier.YTO:
        return "YT" + _digits(rng, 13, "6789")
    if courier is Courier.YUNDA:
        return rng.choice(("43", "46", "31")) + _digits(rng, 13, "0123456789")
    if courier is Courier.STO:
        return "773" + _digits(rng, 12, "0123456789")
    if courier is Courier.JT:
        return "JT" + _digits(rng, 13, "0123456789")
    if courier is Courier.JD:
        return rng.choice(("JDX", "JDV")) + _digits(rng, 12, "0")
    serial = _digits(rng, 8, "0123456789")
    return "E" + rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + serial + s10_check_digit(serial) + "CN"
