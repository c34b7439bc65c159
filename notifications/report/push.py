"""The report pushed to ops: the day before's at the configured time, the week's on its weekday; one outbox
message per target with the key chart, keyed so that the period is queued once however many processes run."""

from __future__ import annotations

import base64
from datetime import date, datetime, time, timedelta
from typing import Any

from notifications.report.config import ReportConfig
from notifications.report.summary import summary
from oms_client.alerts.lifecycle import outbox_message
from oms_client.reports.figures import Figures

TITLES = {"daily": "店铺日报", "weekly": "店铺周报", "today": "今日报表（截至现在）"}
KEY_CHART = "sales_by_channel"


def due(config: ReportConfig, local_now: datetime) -> list[tuple[str, date, date]]:
    """(kind, first day, last day) of the reports due today by now: the day before, and on its weekday the seven
    days before."""
    at = config.daily_at or time(9)
    if (config.daily_at is None and config.weekly_on is None) or local_now.time() < at:
        return []
    yesterday = local_now.date() - timedelta(days=1)
    periods = [("daily", yesterday, yesterday)] if config.daily_at is not None else []
    if config.weekly_on == local_now.isoweekday():
        periods.append(("weekly", yesterday - timedelta(days=6), yesterday))
    return periods


def report_payload(kind: str, figures: Figures, chart: bytes | None) -> dict[str, Any]:
    """One report as the outbox keeps it: its title, its lines and its key chart (base64 PNG)."""
    window = figures.window
    days = window.first.isoformat() if window.first == window.last else f"{window.first} 至 {window.last}"
    lines = summary(figures).splitlines()[1:]
    return {
        "title": f"{TITLES[kind]} {days}",
        "lines": lines,
        "image": base64.b64encode(chart).decode() if chart else None,
    }


def report_rows(
    kind: str, figures: Figures, chart: bytes | None, targets: list[str], now: datetime
) -> list[dict[str, Any]]:
    payload = report_payload(kind, figures, chart)
    first = figures.window.first
    return [outbox_message(target, "report", "info", payload, now) | {"dedupe_key": report_key(kind, first, target)}
            for target in targets]  # fmt: skip


def report_key(kind: str, first: date, target: str) -> str:
    """One report of a period for one target, however often it is queued."""
    return f"report:{kind}:{first.isoformat()}:{target}"[:120]
