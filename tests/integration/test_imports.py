"""Sellers' own exports into the store, on SQLite and PostgreSQL: Taobao's GBK order list and item file as
千牛 writes them, the generic CSV with a BOM and as XLSX; a broken row reported with its line, the rest in;
importing again changes nothing; a newer file updates in place; and the bot answers about what came in."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from handlers.dialogue import Dialogue
from oms_client.domain import OrderState, Platform
from oms_client.imports.importer import import_file
from oms_client.imports.records import ImportSummary
from oms_client.sql import models as m
from oms_client.sql.database import Database
from oms_client.stores.imports import SqlImports
from oms_client.stores.orders import SqlOrderStore
from tests.conftest import NOW, SHANGHAI
from tests.helpers import ask, count_rows

FIXTURES = Path(__file__).parent.parent / "fixtures" / "imports"
ORDER_LIST = FIXTURES / "ExportOrderList202611201200.csv"
ITEM_FILE = FIXTURES / "ExportOrderDetailList202611201200.csv"
PAID, SHIPPED = "3891204455667701123", "3891204455667702123"


async def _import(database: Database, path: Path, platform: str = "taobao") -> ImportSummary:
    writer = SqlImports(database, lambda platform: timedelta(hours=48))
    return await import_file(path, platform, writer, SHANGHAI, NOW)


async def _buyer_note(database: Database, order_no: str) -> str | None:
    async with database.read.connect() as conn:
        return await conn.scalar(select(m.OrderRow.buyer_note).where(m.OrderRow.order_no == order_no))


async def test_a_taobao_order_list_imports_every_readable_row_and_names_the_broken_one(
    database: Database, store: SqlOrderStore
) -> None:
    summary = await _import(database, ORDER_LIST)
    assert (summary.created, summary.updated, summary.unchanged, summary.rejected) == (5, 0, 0, 1)
    assert [(p.line_no, p.reason) for p in summary.problems] == [(7, "「订单创建时间」不是时间：昨天下午")]
    (order,) = await store.find_orders(PAID)  # ="…" taken off the number
    assert order.platform is Platform.TAOBAO and order.state is OrderState.PAID
    assert order.receiver.phone == "13911112222"  # the apostrophe Excel needed, gone
    assert (order.receiver.province, order.receiver.city, order.receiver.district) == ("浙江省", "杭州市", "西湖区")
    assert order.receiver.detail == "文三路90号3幢502"  # the postcode left out
    assert order.promised_ship_by == order.paid_at + timedelta(hours=48)
    (shipped,) = await store.find_orders(SHIPPED)
    assert [(s.courier.value, s.tracking_no) for s in shipped.shipments] == [("SF", "SF1402287765532")]
    states = [(await store.find_orders(f"38912044556677{n}123"))[0].state for n in ("03", "04", "05")]
    assert states == [OrderState.PENDING_PAYMENT, OrderState.CLOSED, OrderState.COMPLETED]


async def test_the_item_file_brings_real_lines_and_importing_both_again_changes_nothing(
    database: Database, store: SqlOrderStore
) -> None:
    await _import(database, ORDER_LIST)
    items = await _import(database, ITEM_FILE)
    assert (items.updated, items.rejected) == (2, 1)
    assert "请先导入订单列表" in items.problems[0].reason
    (order,) = await store.find_orders(PAID)
    assert [(line.sku, line.qty) for line in order.lines] == [("PJ-PINK-M", 2)]
    assert "粉色" in order.lines[0].title
    demand = {r.sku: r.committed for r in await _rows(database, select(m.SkuDemandRow))}
    assert demand.get("PJ-PINK-M") == 2 and not any(sku.startswith("T-") and n for sku, n in demand.items())
    again = [await _import(database, path) for path in (ORDER_LIST, ITEM_FILE)]
    assert [(s.created, s.updated, s.unchanged) for s in again] == [(0, 0, 5), (0, 0, 2)]
    assert await count_rows(database, m.OrderRow) == 5
    assert await count_rows(database, m.OrderLineRow) == 5


async def test_a_newer_export_updates_status_and_waybill_in_place(
    database: Database, store: SqlOrderStore, tmp_path: Path
) -> None:
    await _import(database, ORDER_LIST)
    newer = tmp_path / "ExportOrderList202611221200.csv"
    text = ORDER_LIST.read_bytes().decode("gb18030")
    paid_row = next(line for line in text.splitlines() if PAID in line)
    shipped_row = paid_row.replace("买家已付款，等待卖家发货", "卖家已发货，等待买家确认")
    shipped_row = shipped_row.replace("冬季套装,2,,", "冬季套装,2,75880012345678,中通快递,")
    newer.write_bytes(text.replace(paid_row, shipped_row).encode("gbk"))
    summary = await _import(database, newer)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 4)
    (order,) = await store.find_orders(PAID)
    assert order.state is OrderState.SHIPPED
    assert [(s.courier.value, s.tracking_no) for s in order.shipments] == [("ZTO", "75880012345678")]
    assert await count_rows(database, m.OrderRow) == 5


async def test_the_generic_format_reads_a_bom_csv_with_multi_line_orders_and_an_xlsx(
    database: Database, store: SqlOrderStore, tmp_path: Path
) -> None:
    csv = await _import(database, FIXTURES / "generic_bom.csv", "generic")
    assert (csv.created, csv.rejected) == (2, 1)
    assert csv.problems[0].line_no == 4 and "platform" in csv.problems[0].reason
    (jd,) = await store.find_orders("312345678901")
    assert [line.sku for line in jd.lines] == ["JD-MUG-01", "JD-SPOON-02"] and jd.state is OrderState.SHIPPED
    assert [s.tracking_no for s in jd.shipments] == ["JDVB01234567890"]
    assert await _buyer_note(database, "261121-123456789012345") == "麻烦改地址到公司"  # for the automatic review
    xlsx = tmp_path / "导出.xlsx"  # a name of the seller's choosing: the kind is read from the bytes
    shutil.copy(FIXTURES / "generic.xlsx", xlsx)
    assert (await _import(database, xlsx, "generic")).created == 1
    (douyin,) = await store.find_orders("5928800012345678901")
    assert douyin.platform is Platform.DOUYIN and douyin.receiver.city == "厦门市"


async def test_a_customer_asks_about_an_imported_order_and_proves_it_with_the_phone_tail(
    database: Database, dialogue: Dialogue
) -> None:
    await _import(database, ORDER_LIST)
    assert "后四位" in await ask(dialogue, f"订单 {SHIPPED} 到哪了", user="buyer")
    answer = await ask(dialogue, "3333", user="buyer")
    assert "已发货" in answer and "SF1402287765532" in answer


async def _rows(database: Database, query: object) -> list[object]:
    async with database.read.connect() as conn:
        return list((await conn.execute(query)).all())  # type: ignore[call-overload]


async def test_a_pinduoduo_export_imports_with_tab_guards_off_and_names_what_it_cannot_read(
    database: Database, store: SqlOrderStore, dialogue: Dialogue
) -> None:
    pdd = FIXTURES / "pdd_orders_202611201200.csv"
    summary = await _import(database, pdd, "pdd")
    assert (summary.created, summary.rejected) == (3, 2)
    assert [p.line_no for p in summary.problems] == [5, 6]
    assert "飞鸽快运" in summary.problems[0].reason and "手机号" in summary.problems[1].reason
    (order,) = await store.find_orders("261119-112345678901234")
    assert (order.platform, order.state, order.receiver.phone) == (Platform.PDD, OrderState.SHIPPED, "13800005678")
    assert [(s.courier.value, s.tracking_no) for s in order.shipments] == [("ZTO", "75123456789012")]
    assert [(line.sku, line.qty) for line in order.lines] == [("CUP-500-W", 1)]
    (paid,) = await store.find_orders("261120-012345678901234")
    assert paid.promised_ship_by is not None and paid.promised_ship_by - paid.created_at == timedelta(hours=48)
    assert await _buyer_note(database, "261120-012345678901234") == "周末前发货"
    assert (await _import(database, pdd, "pdd")).unchanged == 3
    await ask(dialogue, "订单 261119-112345678901234 到哪了")
    assert "75123456789012" in await ask(dialogue, "5678")


async def test_a_jd_workbook_groups_an_orders_lines_and_reads_unsuffixed_provinces(
    database: Database, store: SqlOrderStore, dialogue: Dialogue
) -> None:
    jd = FIXTURES / "jd_orders_202611201200.xlsx"
    summary = await _import(database, jd, "jd")
    assert (summary.created, summary.rejected, [p.line_no for p in summary.problems]) == (3, 1, [6])
    (order,) = await store.find_orders("301234567890")
    assert [(line.sku, line.qty) for line in order.lines] == [("DOWN-BLK-XL", 1), ("SCARF-GRY", 2)]
    assert (order.state, order.total, order.receiver.phone) == (OrderState.PAID, 477, "138****5678")
    (deleted,) = await store.find_orders("301234567892")
    assert deleted.state is OrderState.COMPLETED and deleted.receiver.province == "广东省"
    assert (await _import(database, jd, "jd")).unchanged == 3
    await ask(dialogue, "京东订单 301234567890 什么时候发货")
    assert "验证成功" in await ask(dialogue, "5678")  # a masked phone still proves by its tail


async def test_a_file_from_another_platform_is_refused_by_its_header(database: Database) -> None:
    summary = await _import(database, FIXTURES / "pdd_orders_202611201200.csv", "jd")
    assert summary.created == 0 and "这是京东商家后台导出的订单表吗" in summary.problems[0].reason


async def test_two_jd_buyers_behind_the_same_masked_phone_never_see_each_others_orders(
    database: Database, store: SqlOrderStore, dialogue: Dialogue, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    book = load_workbook(FIXTURES / "jd_orders_202611201200.xlsx")
    sheet = book.worksheets[0]
    sheet["Q4"] = "138****5678"  # 周敏's order now shows the same mask as 孙伟's
    path = tmp_path / "jd_same_mask.xlsx"
    book.save(path)
    await _import(database, path, "jd")
    (first,), (second,) = await store.find_orders("301234567890"), await store.find_orders("301234567891")
    assert first.customer_id != second.customer_id
    await ask(dialogue, "订单 301234567890 到哪了")
    await ask(dialogue, "5678")
    assert "301234567891" not in await ask(dialogue, "我的订单")
