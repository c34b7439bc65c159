"""report.html: one self-contained page (charts embedded as data URIs, no script, no outside file) that opens in
any browser or mail client, beside one PNG per chart for whoever wants the pictures alone."""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path
from typing import Any

from notifications.report.charts import Chart, FontMissing, charts
from notifications.report.summary import summary
from oms_client.reports.custom import NAMES
from oms_client.reports.figures import Figures

GROUPINGS = {"platform": "渠道", "sku": "SKU", "courier": "快递", "province": "省份", "reason": "原因", "agent": "客服"}

__all__ = ["FontMissing", "page", "write_report"]

STYLE = (
    "body{font-family:'Noto Sans CJK SC','PingFang SC','Microsoft YaHei',sans-serif;max-width:960px;margin:2em auto;"
    "color:#222}h1{font-size:1.5em}li{margin:.3em 0}figure{margin:1.5em 0}img{max-width:100%}"
    "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .8em;text-align:right}"
)


def write_report(figures: Figures, out: Path) -> Path:
    """report.html and the PNGs into `out` (made if missing); the page's path."""
    out.mkdir(parents=True, exist_ok=True)
    drawn = charts(figures)
    for chart in drawn:
        (out / f"{chart.name}.png").write_bytes(chart.png)
    target = out / "report.html"
    target.write_text(page(figures, drawn), encoding="utf-8")
    return target


def page(figures: Figures, drawn: list[Chart]) -> str:
    title, *lines = summary(figures).splitlines()
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    pictures = "".join(
        f'<figure><img alt="{escape(chart.title)}" src="data:image/png;base64,'
        f'{base64.b64encode(chart.png).decode()}"><figcaption>{escape(chart.title)}</figcaption></figure>'
        for chart in drawn
    )
    tables = "".join(_table(name, rows) for name, rows in figures.custom.items())
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1><ul>{items}</ul>{pictures}{tables}</body></html>"
    )


def _table(name: str, rows: list[dict[str, Any]]) -> str:
    """One of the shop's own tables, its columns in its config's order."""
    columns = list(rows[0]) if rows else []
    head = "".join(f"<th>{escape(NAMES.get(column, GROUPINGS.get(column, column)))}</th>" for column in columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(row[c]))}</td>" for c in columns) + "</tr>" for row in rows)
    return f"<h2>{escape(name)}</h2><table><tr>{head}</tr>{body or '<tr><td>（本期无数据）</td></tr>'}</table>"
