"""Reading the values exports hold: times in the shop's zone, amounts in yuan, couriers by the names
platforms print. A value that cannot be read raises `BadValue` naming the column."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from oms_client.domain import Courier, OrderState
from oms_client.imports.reading import Row, Table
from oms_client.imports.records import Problem

TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d")
# Couriers as the platforms' exports name them (物流公司 / 快递公司), and the short names sellers type.
COURIER_NAMES = {
    Courier.SF: ("顺丰速运", "顺丰快递", "顺丰", "SF"),
    Courier.ZTO: ("中通快递", "中通速递", "中通", "ZTO"),
    Courier.YTO: ("圆通速递", "圆通快递", "圆通", "YTO"),
    Courier.YUNDA: ("韵达快递", "韵达速递", "韵达", "YD", "YUNDA"),
    Courier.STO: ("申通快递", "申通", "STO"),
    Courier.JT: ("极兔速递", "极兔快递", "极兔", "J&T", "JT"),
    Courier.EMS: ("中国邮政EMS", "EMS", "邮政EMS", "EMS经济快递", "中国邮政", "邮政快递包裹"),
    Courier.JD: ("京东快递", "京东物流", "京东", "JD"),
}
_COURIERS = {name.upper(): courier for courier, names in COURIER_NAMES.items() for name in names}
_COMMAS = str.maketrans({",": "，", " ": ""})


class BadValue(Exception):
    """A cell that cannot be read; the message names the column and what it holds."""


def required(row: Row, *names: str) -> str:
    """The first of `names` the row has a value in (platforms renamed columns over the years)."""
    for name in names:
        if row.get(name):
            return row[name]
    raise BadValue(f"缺少「{names[0]}」")


def optional(row: Row, *names: str) -> str:
    return next((row[name] for name in names if row.get(name)), "")


def moment(text: str, column: str, zone: ZoneInfo) -> datetime:
    for form in TIME_FORMATS:
        try:
            return datetime.strptime(text.strip(), form).replace(tzinfo=zone).astimezone(UTC)
        except ValueError:
            continue
    raise BadValue(f"「{column}」不是时间：{text[:40]}")


def maybe_moment(text: str, column: str, zone: ZoneInfo) -> datetime | None:
    return moment(text, column, zone) if text.strip() else None


def money(text: str, column: str) -> Decimal:
    try:
        return Decimal(text.replace(",", "").replace("￥", "").replace("¥", "").removesuffix("元").strip() or "0")
    except InvalidOperation:
        raise BadValue(f"「{column}」不是金额：{text[:40]}") from None


def count(text: str, column: str) -> int:
    try:
        value = int(Decimal(text.strip() or "0"))
    except InvalidOperation:
        raise BadValue(f"「{column}」不是数量：{text[:40]}") from None
    if value < 0:
        raise BadValue(f"「{column}」不能是负数：{text[:40]}")
    return value


def courier(name: str) -> Courier | None:
    return _COURIERS.get(name.strip().upper())


def status_key(text: str) -> str:
    """Status words compared without spaces and with either comma (Taobao wrote both over the years)."""
    return text.translate(_COMMAS)


def state_of(states: Mapping[str, OrderState], word: str) -> OrderState:
    """A platform's status word in our terms, by its table (keyed by `status_key`)."""
    state = states.get(status_key(word))
    if state is None:
        raise BadValue(f"不认识的订单状态「{word[:20]}」")
    return state


def header_problem(table: Table, columns: Sequence[str], hint: str) -> Problem | None:
    """The file as a whole refused when its header lacks a column the format needs; `hint` says which format."""
    missing = [column for column in columns if column not in table.header]
    return Problem(1, f"表头缺少列：{', '.join(missing)}（{hint}）") if missing else None
