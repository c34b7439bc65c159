"""JD: the 京东商家后台 (POP) order export, one row per order line: an order's rows share its 订单号 and repeat
its order-level columns. Columns and status words as the back end writes them (sources in
tests/fixtures/imports/README.md). The export names no waybill; parcels come from the ingestion API or a
tracking feed. Phones may be masked (`138****5678`): the tail still proves an order in chat.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

from oms_client.addresses import receiver
from oms_client.domain import OrderLine, OrderState, Platform
from oms_client.imports import fields as f
from oms_client.imports.reading import Row, Table, group_rows
from oms_client.imports.records import ImportedOrder, Problem

STATES = {
    f.status_key(word): state
    for word, state in (
        ("等待付款", OrderState.PENDING_PAYMENT),
        ("待付款", OrderState.PENDING_PAYMENT),
        ("等待出库", OrderState.PAID),
        ("待出库", OrderState.PAID),
        # Held by JD or the shop (a cancel being decided): still unshipped, still the shop's to handle.
        ("锁定", OrderState.PAID),
        ("锁定订单", OrderState.PAID),
        ("暂停", OrderState.PAID),
        ("暂停订单", OrderState.PAID),
        ("等待确认收货", OrderState.SHIPPED),
        ("已发货", OrderState.SHIPPED),
        ("完成", OrderState.COMPLETED),
        ("已完成", OrderState.COMPLETED),
        ("已取消", OrderState.CANCELLED),
        ("取消", OrderState.CANCELLED),
    )
}
DELETED = "(删除)"  # an order the shop hid in the back end keeps its state after the mark
STATES |= {f.status_key(DELETED) + word: state for word, state in STATES.items()}
COLUMNS = ("订单号", "商品名称", "订购数量", "订单状态", "下单时间", "客户姓名", "客户地址", "联系电话")


def orders(table: Table, zone: ZoneInfo) -> Iterator[ImportedOrder | Problem]:
    refused = f.header_problem(table, COLUMNS, "这是京东商家后台导出的订单表吗？")
    if refused:
        yield refused
        return
    for rows in group_rows(table, lambda row: row.get("订单号", "")).values():
        try:
            yield _order(rows, zone)
        except f.BadValue as bad:
            yield Problem(rows[0][0], str(bad))


def _order(rows: list[tuple[int, Row]], zone: ZoneInfo) -> ImportedOrder:
    line_no, first = rows[0]
    order_no = f.required(first, "订单号")
    if not order_no.isdigit():
        raise f.BadValue(f"「订单号」不是数字：{order_no[:30]}")
    lines = tuple(_line(row) for _, row in rows)
    due = f.optional(first, "应付金额", "订单金额")
    total = f.money(due, "应付金额") if due else sum((x.unit_price * x.qty for x in lines), Decimal(0))
    return ImportedOrder(
        platform=Platform.JD,
        order_no=order_no[:32],
        state=f.state_of(STATES, f.required(first, "订单状态")),
        created_at=f.moment(f.required(first, "下单时间"), "下单时间", zone),
        paid_at=f.maybe_moment(f.optional(first, "付款确认时间"), "付款确认时间", zone),
        total=total,
        receiver=receiver(f.required(first, "客户姓名"), f.required(first, "联系电话"), f.required(first, "客户地址")),
        buyer=f.optional(first, "下单帐号"),
        lines=lines,
        line_no=line_no,
    )


def _line(row: Row) -> OrderLine:
    sku = f.optional(row, "货号", "商家SKU") or f.required(row, "商品ID")
    price = f.money(f.optional(row, "京东价"), "京东价")
    return OrderLine(
        sku[:40], f.required(row, "商品名称")[:200], f.count(f.required(row, "订购数量"), "订购数量"), price
    )
