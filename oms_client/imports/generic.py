"""The generic CSV (or XLSX): our own column names, for any ERP that can export a table. One row per order
line; an order's rows share `platform` and `order_id`, and its order-level columns are read from the first.

| column | | |
|---|---|---|
| platform | required | taobao tmall jd pdd douyin wxshop pos |
| order_id | required | the platform's order number |
| status | required | pending_payment paid shipped delivered completed cancelled closed |
| created_at | required | `2026-11-20 10:31:22` in the shop's zone, or ISO 8601 with an offset |
| paid_at | | as created_at |
| buyer | | the buyer's name on the platform |
| receiver_name, receiver_phone | required | |
| province, city, district, address | required (address) | address alone may hold the whole line |
| sku, title, qty, price | required | one order line; price per unit in yuan |
| total | | the order's total; the lines' sum when empty |
| courier, tracking_no, shipped_at | | a parcel: courier as customers know it (顺丰速运) or its code (SF) |
| note | | the buyer's message (the automatic review reads it) |
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

from oms_client.addresses import receiver
from oms_client.domain import OrderLine, OrderState, Platform, Receiver
from oms_client.imports import fields as f
from oms_client.imports.reading import Row, Table, group_rows
from oms_client.imports.records import ImportedOrder, ImportedShipment, Problem

E = TypeVar("E", Platform, OrderState)
COLUMNS = ("platform", "order_id", "status", "created_at", "receiver_name", "receiver_phone", "address", "sku",
           "title", "qty", "price")  # fmt: skip


def orders(table: Table, zone: ZoneInfo) -> Iterator[ImportedOrder | Problem]:
    refused = f.header_problem(table, COLUMNS, "通用格式的列名见 README")
    if refused:
        yield refused
        return
    for rows in group_rows(table, lambda row: (row.get("platform", ""), row.get("order_id", ""))).values():
        try:
            yield _order(rows, zone)
        except (f.BadValue, ValueError) as bad:
            yield Problem(rows[0][0], str(bad))


def _order(rows: list[tuple[int, Row]], zone: ZoneInfo) -> ImportedOrder:
    line_no, first = rows[0]
    platform = _choice(Platform, f.required(first, "platform"), "platform")
    lines = tuple(_line(row) for _, row in rows)
    total_text = f.optional(first, "total")
    total = f.money(total_text, "total") if total_text else sum((x.unit_price * x.qty for x in lines), Decimal(0))
    return ImportedOrder(
        platform=platform,
        order_no=f.required(first, "order_id")[:32],
        state=_choice(OrderState, f.required(first, "status"), "status"),
        created_at=_time(f.required(first, "created_at"), "created_at", zone),
        paid_at=_time(first["paid_at"], "paid_at", zone) if first.get("paid_at") else None,
        total=total,
        receiver=_receiver(first),
        buyer=f.optional(first, "buyer"),
        note=f.optional(first, "note")[:500],
        lines=lines,
        shipments=_shipments(rows, zone),
        line_no=line_no,
    )


def _receiver(row: Row) -> Receiver:
    name, phone = f.required(row, "receiver_name"), f.required(row, "receiver_phone")
    if not row.get("province"):
        return receiver(name, phone, f.required(row, "address"))
    parts = (row["province"], f.optional(row, "city"), f.optional(row, "district"), f.required(row, "address"))
    return Receiver(name[:64], phone[:20], parts[0][:32], parts[1][:32], parts[2][:32], parts[3][:200])


def _line(row: Row) -> OrderLine:
    qty = f.count(f.required(row, "qty"), "qty")
    return OrderLine(f.required(row, "sku")[:40], f.required(row, "title")[:200], qty, f.money(row["price"], "price"))


def _shipments(rows: list[tuple[int, Row]], zone: ZoneInfo) -> tuple[ImportedShipment, ...]:
    found: dict[str, ImportedShipment] = {}
    for _, row in rows:
        number = f.optional(row, "tracking_no")
        if not number or number in found:
            continue
        courier = f.courier(f.optional(row, "courier"))
        if courier is None:
            raise f.BadValue(f"不认识的快递公司「{f.optional(row, 'courier')[:20]}」，运单 {number}")
        shipped = _time(row["shipped_at"], "shipped_at", zone) if row.get("shipped_at") else None
        found[number] = ImportedShipment(courier, number[:32], shipped)
    return tuple(found.values())


def _time(text: str, column: str, zone: ZoneInfo) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return f.moment(text, column, zone)
    return moment if moment.tzinfo else f.moment(text, column, zone)


def _choice(kind: type[E], text: str, column: str) -> E:
    try:
        return kind(text.strip().lower())
    except ValueError:
        choices = " ".join(member.value for member in kind)
        raise f.BadValue(f"「{column}」应是 {choices} 之一：{text[:20]}") from None
