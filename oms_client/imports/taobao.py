"""Taobao and Tmall: the 千牛 / 卖家中心 「已卖出的宝贝」 exports, the order list (ExportOrderList*.csv) and its item
file (ExportOrderDetailList*.csv), told apart by their headers. Columns and status words as the platform
writes them (sources in tests/fixtures/imports/README.md).

The order list names no SKU: an order first seen there gets one line per order, titled as the list titles it
and keyed by that title, until its item file brings the real lines (by 商家编码).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

from oms_client.addresses import receiver
from oms_client.domain import OrderLine, OrderState, Platform, Presale
from oms_client.imports import fields as f
from oms_client.imports.reading import Row, Table
from oms_client.imports.records import ImportedLines, ImportedOrder, ImportedShipment, Problem

STATES = {
    f.status_key(word): state
    for word, state in (
        ("等待买家付款", OrderState.PENDING_PAYMENT),
        ("买家已付款，等待卖家发货", OrderState.PAID),
        ("卖家已发货，等待买家确认", OrderState.SHIPPED),
        ("买家已签收", OrderState.DELIVERED),
        ("交易成功", OrderState.COMPLETED),
        ("交易关闭", OrderState.CLOSED),
        ("交易被淘宝关闭", OrderState.CLOSED),
    )
}
ITEM_FILE_COLUMNS = ("主订单编号", "子订单编号")
# 分阶段订单信息: a presale order's stage in the words of Taobao's step_trade_status (定金未付尾款未付,
# 定金已付尾款未付, 定金和尾款都付; some tools write 定金已付，尾款已付). The column's full wording is not
# published, so only these phrases are read, with or without their comma.
_DEPOSIT_ONLY = re.compile(r"定金已付[，,]?尾款未付")
_STAGED = re.compile(r"定金|尾款")
_WAYBILLS = re.compile(r"[,，;；/\s]+")


def is_item_file(table: Table) -> bool:
    return any(column in table.header for column in ITEM_FILE_COLUMNS)


def title_sku(title: str) -> str:
    """A stable key for a listing the order list only titles."""
    return "T-" + hashlib.sha1(title.encode()).hexdigest()[:12].upper()


def orders(table: Table, platform: Platform, zone: ZoneInfo) -> Iterator[ImportedOrder | Problem]:
    """One order per row of the order list."""
    for line_no, row in table.rows:
        try:
            yield _order(row, platform, zone, line_no)
        except f.BadValue as bad:
            yield Problem(line_no, str(bad))


def _order(row: Row, platform: Platform, zone: ZoneInfo, line_no: int) -> ImportedOrder:
    order_no = f.required(row, "订单编号")
    if not order_no.isdigit():
        raise f.BadValue(f"「订单编号」不是数字：{order_no[:30]}")
    total = f.money(f.optional(row, "买家实际支付金额", "买家实付金额", "总金额"), "买家实际支付金额")
    title = f.optional(row, "宝贝标题", "商品标题") or "（订单列表未写商品）"
    qty = max(1, f.count(f.optional(row, "宝贝总数量") or "1", "宝贝总数量"))
    unit = (total / qty).quantize(Decimal("0.01"))
    state, presale = _stage(row, f.state_of(STATES, f.required(row, "订单状态")))
    return ImportedOrder(
        platform=platform,
        order_no=order_no,
        state=state,
        presale=presale,
        created_at=f.moment(f.required(row, "订单创建时间"), "订单创建时间", zone),
        paid_at=f.maybe_moment(f.optional(row, "订单付款时间"), "订单付款时间", zone),
        total=total,
        receiver=receiver(
            f.required(row, "收货人姓名"), f.optional(row, "联系手机", "联系电话"), f.required(row, "收货地址")
        ),
        buyer=f.optional(row, "买家会员名"),
        lines=(OrderLine(title_sku(title), title[:200], qty, unit),),
        provisional_lines=True,
        shipments=_shipments(row, zone),
        line_no=line_no,
    )


def _stage(row: Row, state: OrderState) -> tuple[OrderState, Presale | None]:
    """A presale order (分阶段订单信息, or a 特权订金订单id) and, with its deposit paid but not its balance, its state:
    the list calls such an order 等待买家付款, which here would read as nothing paid at all."""
    stage = f.optional(row, "分阶段订单信息")
    if not _STAGED.search(stage) and not f.optional(row, "特权订金订单id"):
        return state, None
    if _DEPOSIT_ONLY.search(stage) and state is OrderState.PENDING_PAYMENT:
        return OrderState.DEPOSIT_PAID, Presale()
    return state, Presale()


def _shipments(row: Row, zone: ZoneInfo) -> tuple[ImportedShipment, ...]:
    numbers = [n for n in _WAYBILLS.split(f.optional(row, "物流单号", "运单号")) if n]
    if not numbers:
        return ()
    name = f.optional(row, "物流公司")
    found = f.courier(name)
    if found is None:
        raise f.BadValue(f"不认识的物流公司「{name[:20]}」，运单 {numbers[0]}")
    shipped = f.maybe_moment(f.optional(row, "发货时间"), "发货时间", zone)
    return tuple(ImportedShipment(found, number[:32], shipped) for number in numbers)


def item_lines(table: Table, platform: Platform) -> Iterator[ImportedLines | Problem]:
    """The item file: its rows grouped into each order's lines."""
    grouped: dict[str, tuple[int, list[OrderLine]]] = {}
    for line_no, row in table.rows:
        try:
            order_no, line = _line(row)
        except f.BadValue as bad:
            yield Problem(line_no, str(bad))
            continue
        grouped.setdefault(order_no, (line_no, []))[1].append(line)
    for order_no, (line_no, lines) in grouped.items():
        yield ImportedLines(platform, order_no, tuple(lines), line_no)


def _line(row: Row) -> tuple[str, OrderLine]:
    order_no = f.required(row, "主订单编号")
    title = f.required(row, "标题", "商品标题")
    attributes = f.optional(row, "商品属性")
    shown = f"{title}（{attributes}）" if attributes else title
    sku = f.optional(row, "商家编码", "外部系统编号") or title_sku(shown)
    price = f.money(f.optional(row, "价格", "商品价格"), "价格")
    return order_no, OrderLine(sku[:40], shown[:200], f.count(f.required(row, "购买数量"), "购买数量"), price)
