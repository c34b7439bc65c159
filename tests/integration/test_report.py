"""The shop's report on seeded data, on SQLite and PostgreSQL: its figures equal the same figures counted with
SQL straight from the tables; a case, a proof and a hand-off show where they belong; the charts are real PNGs with
their Chinese labels drawn in a CJK font; report.html holds them."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

import nlu
from bot.metrics import Metrics
from bot.reporting import window
from bot.shop_config import ShopConfigError, load_shop_config
from handlers.dialogue import Dialogue
from handlers.turn import CLARIFY_BELOW
from notifications.report.charts import cjk_font
from notifications.report.page import write_report
from notifications.report.summary import summary
from oms_client.case_rules import CaseKind
from oms_client.clock import FixedClock
from oms_client.demo.seed import SeedResult
from oms_client.domain import Platform
from oms_client.reports.custom import CustomTable
from oms_client.reports.figures import Figures, Spread
from oms_client.reports.sql import SqlReports
from oms_client.sql import models as m
from oms_client.sql.database import Database
from oms_client.stores.orders import SqlOrderStore
from tests.conftest import NOW, SHANGHAI
from tests.helpers import ask

WEEK = window(None, None, NOW.date(), SHANGHAI)


async def report(database: Database) -> Figures:
    return await SqlReports(database, SHANGHAI).figures(WEEK)


async def test_sales_figures_equal_sql_counts_of_the_seeded_week(database: Database, seeded: SeedResult) -> None:
    figures = await report(database)
    order = m.OrderRow
    paid = (order.paid_at >= WEEK.start, order.paid_at < WEEK.end)
    async with database.read.connect() as conn:
        counted = {row.platform: (row.n, row.amount) for row in await conn.execute(
            select(order.platform, func.count().label("n"), func.sum(order.total).label("amount"))
            .where(*paid).group_by(order.platform))}  # fmt: skip
        case = m.AfterSalesCaseRow
        filed = dict((await conn.execute(select(case.kind, func.count()).where(
            case.created_at >= WEEK.start, case.created_at < WEEK.end).group_by(case.kind))).all())  # fmt: skip
        log = m.AuditLogRow
        in_week = (log.action == "case.refund", log.at >= WEEK.start, log.at < WEEK.end)
        refunds = (await conn.scalars(select(log.detail).where(*in_week))).all()
        failed = await conn.scalar(select(func.count()).select_from(m.ShipmentRow).where(
            m.ShipmentRow.shipped_at >= WEEK.start, m.ShipmentRow.shipped_at < WEEK.end,
            m.ShipmentRow.last_event_state.in_(("exception", "returned"))))  # fmt: skip
    reported: dict[str, list[Decimal]] = {}
    for day in figures.sales.by_day:
        reported.setdefault(day.platform, [Decimal(0), Decimal(0)])
        reported[day.platform][0] += day.orders
        reported[day.platform][1] += Decimal(day.amount)
    assert {p: (int(n), Decimal(a)) for p, (n, a) in reported.items()} == {
        p: (n, Decimal(a).quantize(Decimal("0.01"))) for p, (n, a) in counted.items()
    }
    assert sum(c.get("exception", 0) for c in figures.sales.troubled_parcels.values()) == failed
    assert {kind: sum(reasons.values()) for kind, reasons in figures.aftersales.cases.items()} == filed
    assert Decimal(figures.aftersales.refunded) == sum((Decimal(r["amount"]) for r in refunds), Decimal(0))
    assert {day.day for day in figures.sales.by_day} <= {(WEEK.first + timedelta(days=n)).isoformat() for n in range(7)}
    assert all(0 <= share <= 1 for share in figures.sales.on_time.values() if share is not None)


async def test_a_case_a_proof_and_a_hand_off_show_in_after_sales_and_the_bot(
    database: Database, seeded: SeedResult, store: SqlOrderStore, dialogue: Dialogue
) -> None:
    sample = next(s for s in seeded.samples if s.courier)
    before = (await report(database)).aftersales.cases.get("return_refund", {}).get("quality", 0)
    await ask(dialogue, f"订单 {sample.order_id} 到哪了")
    await ask(dialogue, sample.phone_tail)
    await ask(dialogue, "转人工")
    await store.file_case(Platform(sample.platform), sample.order_id, CaseKind.RETURN_REFUND, "quality", {}, None, NOW)
    figures = await report(database)
    assert figures.aftersales.cases["return_refund"]["quality"] == before + 1
    assert figures.bot.proofs["succeeded"] == 1 and figures.bot.handoff_reasons == {"human_agent": 1}
    filed = sum(sum(reasons.values()) for reasons in figures.aftersales.cases.values())
    assert f"售后：申请 {filed} 件" in summary(figures)


def test_a_spread_is_the_median_and_the_nearest_rank_90th_percentile() -> None:
    assert Spread.of([5, 1, 3, 2, 4, 6, 7, 8, 9, 10]) == Spread(10, 5.5, 9)
    assert Spread.of([]) == Spread(0, None, None)


async def test_the_charts_are_png_images_and_the_page_holds_them(
    database: Database, seeded: SeedResult, tmp_path: Path
) -> None:
    assert cjk_font().is_file()
    page = write_report(await report(database), tmp_path)
    pictures = sorted(tmp_path.glob("*.png"))
    assert [p.stem for p in pictures] == ["aftersales_rate", "delay_rate", "sales_by_channel"]
    for picture in pictures:
        with Image.open(io.BytesIO(picture.read_bytes())) as image:
            assert image.format == "PNG" and image.width > 400 and image.height > 300
    html = page.read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 3 and "店铺报表" in html and "<script" not in html


def test_the_default_window_is_the_last_seven_days_of_the_shop_s_calendar() -> None:
    week = window(None, date(2026, 11, 22), date(2026, 11, 30), SHANGHAI)
    assert (week.first, week.last) == (date(2026, 11, 16), date(2026, 11, 22))
    assert week.start.isoformat() == "2026-11-16T00:00:00+08:00" and week.end.isoformat() == "2026-11-23T00:00:00+08:00"


async def test_a_shop_s_own_tables_group_its_measures_and_agree_with_sql(
    database: Database, seeded: SeedResult, tmp_path: Path
) -> None:
    by_courier = CustomTable(name="各快递包裹", group_by="courier", measures=("parcels", "troubled_parcels"))
    by_province = CustomTable(name="省份销售", group_by="province", measures=("orders", "amount", "parcels"), top=3)
    tables = (by_courier, by_province)
    figures = await SqlReports(database, SHANGHAI).figures(WEEK, tables=tables)
    parcels = {row["courier"]: row["parcels"] for row in figures.custom["各快递包裹"]}
    shipment = m.ShipmentRow
    async with database.read.connect() as conn:
        sent = (shipment.shipped_at >= WEEK.start, shipment.shipped_at < WEEK.end)
        query = select(shipment.courier, func.count()).where(*sent).group_by(shipment.courier)
        counted = dict((await conn.execute(query)).all())
    assert parcels == counted
    provinces = figures.custom["省份销售"]
    assert len(provinces) == 3 and [row["orders"] for row in provinces] == sorted((r["orders"] for r in provinces),
                                                                                reverse=True)  # fmt: skip
    assert set(provinces[0]) == {"province", "orders", "amount", "parcels"}
    html = write_report(figures, tmp_path).read_text(encoding="utf-8")
    assert "<h2>省份销售</h2>" in html and "<th>省份</th><th>订单数</th><th>金额</th><th>包裹数</th>" in html


def test_a_table_whose_measure_its_grouping_cannot_split_is_refused_with_the_reason(tmp_path: Path) -> None:
    config = tmp_path / "shop.toml"
    config.write_text('[[report.tables]]\nname = "退款按快递"\ngroup_by = "courier"\nmeasures = ["cases"]\n',
                      encoding="utf-8")  # fmt: skip
    with pytest.raises(
        ShopConfigError, match="cases cannot be grouped by courier \\(it can by platform, reason, sku\\)"
    ):
        load_shop_config(config)
    config.write_text('[[report.tables]]\nname = "x"\ngroup_by = "colour"\nmeasures = ["orders"]\n', encoding="utf-8")
    with pytest.raises(ShopConfigError, match=re.escape("report.tables.0.group_by")):
        load_shop_config(config)


async def test_what_customers_asked_is_counted_per_day_and_shows_in_the_bot_section(
    database: Database, store: SqlOrderStore, clock: FixedClock
) -> None:
    metrics = Metrics()
    dialogue = Dialogue(store, nlu.parse, clock, SHANGHAI, observer=metrics)
    candidates = ("货的事", "有个事", "那个东西", "东西", "所以呢", "xyzzy")
    vague = next(t for t in candidates if nlu.parse(t).confidence < CLARIFY_BELOW)
    for text in ("我的快递到哪了", "快递到哪了呀", "怎么还不发货", vague):
        await ask(dialogue, text, user=text)
    reports = SqlReports(database, SHANGHAI)

    async def add(counts: Mapping[tuple[str, bool], int]) -> None:
        await reports.add_intents(reports.day(NOW), counts)

    await metrics.report_intents(add)
    await metrics.report_intents(add)  # nothing new: nothing added twice
    bot = (await reports.figures(WEEK)).bot
    assert bot.intents["logistics"] == 2 and bot.intents["urge_shipping"] == 1 and sum(bot.intents.values()) == 4
    assert bot.clarifications == 1  # the vague one: the bot asks what about
    assert "问得最多：查物流 2" in summary(await reports.figures(WEEK))
