"""Addresses cut into the receiver's parts: as exports print them and as customers type a new one."""

from __future__ import annotations

import pytest

from oms_client.addresses import moved, receiver
from oms_client.domain import Receiver

OLD = Receiver("张三", "13812345678", "上海市", "上海市", "浦东新区", "张江路 1 号")


@pytest.mark.parametrize(
    ("written", "parts"),
    [
        ("浙江省 杭州市 西湖区 文三路 90 号(310000)", ("浙江省", "杭州市", "西湖区", "文三路90号")),
        ("广东省深圳市南山区科技园科苑路 15 号", ("广东省", "深圳市", "南山区", "科技园科苑路15号")),
        ("北京市朝阳区建国路 88 号", ("北京市", "北京市", "朝阳区", "建国路88号")),
        ("内蒙古自治区呼和浩特市新城区新华大街 1 号", ("内蒙古自治区", "呼和浩特市", "新城区", "新华大街1号")),
    ],
)
def test_an_export_address_is_cut_into_province_city_district_and_street(
    written: str, parts: tuple[str, str, str, str]
) -> None:
    found = receiver("李四", "13900001111", written)
    assert (found.province, found.city, found.district, found.detail) == parts


@pytest.mark.parametrize(
    ("typed", "parts"),
    [
        ("浙江省杭州市滨江区江南大道 588 号 李四 13900001111", ("浙江省", "杭州市", "滨江区", "江南大道588号")),
        ("闵行区莘庄镇莘建路 1 号", ("上海市", "上海市", "闵行区", "莘庄镇莘建路1号")),
        ("张江路 100 号 3 幢 201", ("上海市", "上海市", "浦东新区", "张江路100号3幢201")),
        ("杭州市西湖区文三路 90 号", ("", "杭州市", "西湖区", "文三路90号")),
    ],
)
def test_a_new_address_replaces_the_parts_the_customer_named_and_keeps_name_and_phone(
    typed: str, parts: tuple[str, str, str, str]
) -> None:
    new = moved(OLD, typed)
    assert (new.province, new.city, new.district, new.detail) == parts
    assert (new.name, new.phone) == (OLD.name, OLD.phone)
