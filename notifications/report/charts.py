"""The report's charts as PNG images, labelled in Chinese in a CJK font found before drawing: never tofu boxes.

The font is Noto Sans CJK SC as the `mplfonts` package (a dependency) ships it inside itself, else the system's
Noto CJK or Source Han Sans (Debian's fonts-noto-cjk); with neither, `FontMissing` says what to install.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from notifications.report.summary import kind, platform
from oms_client.reports.figures import Figures

SYSTEM_FONTS = ("NotoSansCJK", "Noto Sans CJK", "SourceHanSans", "Source Han Sans")
DPI = 110


class FontMissing(Exception):
    def __init__(self) -> None:
        super().__init__(
            "画图需要中文字体，但没有找到：请重新安装本项目（pip install -e .，会装上 mplfonts 自带的思源黑体），"
            "或安装系统字体（Debian/Ubuntu：apt install fonts-noto-cjk）。"
        )


@dataclass(frozen=True)
class Chart:
    name: str  # the PNG's file name without .png
    title: str
    png: bytes


def cjk_font() -> Path:
    """The CJK font the charts are drawn in."""
    try:
        import mplfonts

        bundled = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
        if bundled.is_file():
            return bundled
    except ImportError:
        pass
    from matplotlib import font_manager

    for found in sorted(font_manager.findSystemFonts()):
        if any(name.replace(" ", "") in Path(found).name.replace(" ", "") for name in SYSTEM_FONTS):
            return Path(found)
    raise FontMissing


def key_chart(figures: Figures) -> Chart:
    """The one chart a pushed report carries: sales per channel and day."""
    return _sales(_pyplot(), figures)


def charts(figures: Figures) -> list[Chart]:
    plt = _pyplot()
    drawn = [_sales(plt, figures), _shipping(plt, figures), _aftersales(plt, figures), _bot(plt, figures)]
    return [chart for chart in drawn if chart is not None]


def _pyplot() -> Any:
    """pyplot on the file-only backend, in the CJK font."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    font = cjk_font()
    font_manager.fontManager.addfont(str(font))
    plt.rcParams["font.family"] = font_manager.FontProperties(fname=str(font)).get_name()
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def _png(plt: Any, figure: Any, name: str, title: str) -> Chart:
    figure.suptitle(title)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    plt.close(figure)
    return Chart(name, title, buffer.getvalue())


def _sales(plt: Any, figures: Figures) -> Chart:
    """Paid amount per day, stacked by channel."""
    days = sorted({day.day for day in figures.sales.by_day})
    amounts: dict[str, dict[str, float]] = defaultdict(dict)
    for day in figures.sales.by_day:
        amounts[day.platform][day.day] = float(Decimal(day.amount))
    figure, axes = plt.subplots(figsize=(8, 4))
    bottom = [0.0] * len(days)
    for code, by_day in sorted(amounts.items(), key=lambda kv: -sum(kv[1].values())):
        heights = [by_day.get(day, 0.0) for day in days]
        axes.bar([day[5:] for day in days], heights, bottom=bottom, label=platform(code))
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    axes.set_ylabel("付款金额（元）")
    axes.legend(fontsize=8, ncol=4)
    return _png(plt, figure, "sales_by_channel", "各渠道每日销售额")


def _shipping(plt: Any, figures: Figures) -> Chart:
    """Paid to shipped (median, 90th percentile) and the share shipped late, per channel."""
    sales = figures.sales
    codes = [code for code, spread in sales.paid_to_shipped_hours.items() if spread.count]
    figure, (hours, late) = plt.subplots(1, 2, figsize=(9, 4))
    names = [platform(code) for code in codes]
    spreads = [sales.paid_to_shipped_hours[code] for code in codes]
    hours.bar(names, [s.median or 0 for s in spreads], label="中位数")
    hours.plot(names, [s.p90 or 0 for s in spreads], "o", color="darkred", label="P90")
    hours.set_ylabel("付款到发货（小时）")
    hours.legend(fontsize=8)
    delayed = {code: 1 - share for code, share in sales.on_time.items() if share is not None}
    late.bar([platform(code) for code in delayed], [round(v * 100, 1) for v in delayed.values()], color="orange")
    late.set_ylabel("超时发货率（%）")
    for axes in (hours, late):
        axes.tick_params(axis="x", labelrotation=30, labelsize=8)
    return _png(plt, figure, "delay_rate", "发货时长与超时率")


def _aftersales(plt: Any, figures: Figures) -> Chart:
    after = figures.aftersales
    counts = dict(
        sorted(((code, sum(reasons.values())) for code, reasons in after.cases.items()), key=lambda kv: -kv[1])
    )
    figure, axes = plt.subplots(figsize=(6, 4))
    axes.bar([kind(code) for code in counts] or ["（无）"], list(counts.values()) or [0], color="seagreen")
    axes.set_ylabel("申请数")
    rate = "—" if after.rate is None else f"{after.rate * 100:.1f}%"
    return _png(plt, figure, "aftersales_rate", f"售后申请（售后率 {rate}）")


def _bot(plt: Any, figures: Figures) -> Chart | None:
    bot = figures.bot
    if not bot.conversations:
        return None
    handed = round((bot.handoff_rate or 0) * bot.conversations)
    figure, axes = plt.subplots(figsize=(5, 4))
    axes.pie([bot.conversations - handed, handed], labels=["机器人自助解决", "转人工"], autopct="%1.0f%%")
    return _png(plt, figure, "bot_self_service", f"客服机器人：{bot.conversations} 个会话")
