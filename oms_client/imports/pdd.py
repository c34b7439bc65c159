"""Pinduoduo: the 拼多多商家后台 order export (订单查询 → 导出), one row per order (a Pinduoduo order holds one
goods item). Columns and status words as the back end writes them (sources in tests/fixtures/imports/README.md);
cells guarded with tabs against Excel come clean from the reader.

Newer exports may leave the receiver out (消费者资料 is downloaded apart); a row with no phone is refused with
that reason, since a phone is what a customer proves an order with in chat.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from zoneinfo import ZoneInfo

from oms_client.domain import OrderLine, OrderState, Platform, Receiver
from oms_client.imports import fields as f
from oms_client.imports.reading import Row, Table
from oms_client.imports.records import ImportedOrder, ImportedShipment, Problem

STATES = {
    f.status_key(word): state
    for word, state in (
        ("待支付", OrderState.PENDING_PAYMENT),
        ("待发货", OrderState.PAID),
        ("已发货，待签收", OrderState.SHIPPED),
        ("已签收", OrderState.DELIVERED),
        ("已取消", OrderState.CANCELLED),
        ("已取消，退款成功", OrderState.CANCELLED),
        ("未发货，退款成功", OrderState.CANCELLED),
        ("未成交，退款成功", OrderState.CANCELLED),
        ("已发货，退款成功", OrderState.CLOSED),
        ("已签收，退款成功", OrderState.CLOSED),
    )
}
COLUMNS = ("订单号", "订单状态", "商品", "商品数量(件)")


def orders(table: Table, zone: ZoneInfo) -> Iterator[ImportedOrder | Problem]:
    refused = f.header_problem(table, COLUMNS, "这是拼多多后台导出的订单表吗？")
    if refused:
        yield refused
        return
    for line_no, row in table.rows:
        try:
            yield _order(row, zone, line_no)
        except f.BadValue as bad:
            yield Problem(line_no, str(bad))


def _order(row: Row, zone: ZoneInfo, line_no: int) -> ImportedOrder:
    order_no = f.required(row, "订单号")
    state = f.state_of(STATES, f.required(row, "订单状态"))
    qty = max(1, f.count(f.required(row, "商品数量(件)"), "商品数量(件)"))
    total = f.money(f.optional(row, "用户实付金额(元)", "商品总价(元)"), "用户实付金额(元)")
    title = f.required(row, "商品")
    spec = f.optional(row, "商品规格")
    sku = f.optional(row, "商家编码-规格维度", "商家编码-SKU维度", "商品规格ID", "规格id") or f.required(
        row, "商品id", "商品ID"
    )
    paid = f.maybe_moment(f.optional(row, "支付时间"), "支付时间", zone)
    return ImportedOrder(
        platform=Platform.PDD,
        order_no=order_no[:32],
        state=state,
        created_at=f.moment(
            f.optional(row, "订单成交时间", "下单时间") or f.required(row, "支付时间"), "订单成交时间", zone
        ),
        paid_at=paid,
        total=total,
        receiver=_receiver(row),
        lines=(
            OrderLine(
                sku[:40], (f"{title}（{spec}）" if spec else title)[:200], qty, (total / qty).quantize(Decimal("0.01"))
            ),
        ),
        shipments=_shipment(row, zone),
        ship_by=f.maybe_moment(f.optional(row, "承诺发货时间"), "承诺发货时间", zone),
        note=(f.optional(row, "买家留言") or "")[:500],
        line_no=line_no,
    )


def _receiver(row: Row) -> Receiver:
    phone = f.optional(row, "手机")
    if not phone:
        raise f.BadValue("没有收货手机号：请导出含收货人信息（消费者资料）的订单表")
    detail = f.optional(row, "街道/镇", "街道") + f.optional(row, "详细地址")
    parts = (f.optional(row, "省"), f.optional(row, "市"), f.optional(row, "区"))
    name = f.optional(row, "收货人") or "拼多多买家"
    return Receiver(name[:64], phone[:20], parts[0][:32], parts[1][:32], parts[2][:32], detail[:200])


def _shipment(row: Row, zone: ZoneInfo) -> tuple[ImportedShipment, ...]:
    number = f.optional(row, "快递单号")
    if not number:
        return ()
    name = f.optional(row, "快递公司")
    found = f.courier(name)
    if found is None:
        raise f.BadValue(f"不认识的快递公司「{name[:20]}」，运单 {number}")
    return (ImportedShipment(found, number[:32], f.maybe_moment(f.optional(row, "发货时间"), "发货时间", zone)),)
