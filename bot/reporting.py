"""`xiaoer report [--from D] [--to D] [--out DIR] [--json]`: the shop's report for whole days of its calendar
(default the last 7, today included): a text summary, or the figures as JSON; with --out, report.html and one PNG
per chart there."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.bootstrap import App
from notifications.report.summary import summary
from oms_client.reports.figures import Figures, Window
from oms_client.reports.sql import SqlReports

DEFAULT_DAYS = 7


def window(first: date | None, last: date | None, today: date, zone: ZoneInfo) -> Window:
    """The days asked for, as instants in the shop's zone (`last` whole: up to its midnight)."""
    last = last or today
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    start = datetime.combine(first, time(), zone)
    return Window(first, last, start, datetime.combine(last + timedelta(days=1), time(), zone))


async def figures(app: App, period: Window) -> Figures:
    staff = {f"{channel}:{user_id}" for member in app.roster.members for channel, user_id in member.accounts().items()}
    return await SqlReports(app.database, app.zone).figures(period, staff, tables=app.shop.report.tables)


async def report_command(app: App, first: date | None, last: date | None, out: Path | None, as_json: bool) -> int:
    if first and last and first > last:
        print(f"--from {first} 晚于 --to {last}：请给一个先后正确的日期范围", file=sys.stderr)
        return 2
    period = window(first, last, app.clock.now().astimezone(app.zone).date(), app.zone)
    found = await figures(app, period)
    if out is not None:
        from notifications.report.page import FontMissing, write_report

        try:
            written = write_report(found, out)
        except FontMissing as error:
            print(str(error), file=sys.stderr)
            return 2
        print(f"已写入 {written}", file=sys.stderr)
    print(json.dumps(found.as_dict(), ensure_ascii=False, indent=2) if as_json else summary(found))
    return 0
