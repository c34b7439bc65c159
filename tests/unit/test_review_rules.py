"""The automatic review's rules: each holds an order for its own reason, in words ops read; none is on by default."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oms_client.review import Reviewed, ReviewRules

RULES = ReviewRules(
    note_keywords=("改地址", "刷单"),
    address_keywords=("驿站",),
    amount_over=Decimal("2000"),
    blocked_phones=("13900001111",),
    same_address_per_hour=3,
    remote_provinces=("新疆维吾尔自治区",),
)
PLAIN = Reviewed(Decimal("99.00"), "13812345678", "浙江省", "杭州市西湖区文三路 1 号", "请尽快发货")


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"note": "麻烦改地址到公司"}, "买家留言含“改地址”"),
        ({"address": "杭州市西湖区菜鸟驿站"}, "收货地址含“驿站”"),
        ({"total": Decimal("2999.00")}, "金额 ¥2999.00 超过审核线"),
        ({"phone": "13900001111"}, "收货手机（尾号 1111）在黑名单"),
        ({"same_address_last_hour": 3}, "同一地址一小时内第 4 单"),
        ({"province": "新疆维吾尔自治区"}, "偏远地区（新疆维吾尔自治区）"),
    ],
)
def test_each_rule_holds_an_order_for_its_own_reason(change: dict[str, object], reason: str) -> None:
    assert RULES.reason(Reviewed(**(PLAIN.__dict__ | change))) == reason  # type: ignore[arg-type]


def test_an_order_meeting_no_rule_passes_and_no_rule_is_on_by_default() -> None:
    assert RULES.reason(PLAIN) is None
    assert RULES.reason(Reviewed(**(PLAIN.__dict__ | {"same_address_last_hour": 2}))) is None  # type: ignore[arg-type]
    suspicious = Reviewed(Decimal("99999"), "13900001111", "新疆维吾尔自治区", "菜鸟驿站", "刷单", 50)
    assert ReviewRules().reason(suspicious) is None
