"""The shop's report as people get it: `xiaoer report [--from D] [--to D] [--out DIR] [--json]` for whole days of
its calendar (default the last 7, today included); pushed to the ops targets at `[report] daily_at` (the day
before) and on `weekly_on` (the week before); and `/report` in an ops chat (today so far, with its key chart)."""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from handlers.staff.roster import Roster
from notifications.report.charts import FontMissing, key_chart
from notifications.report.config import ReportConfig
from notifications.report.page import write_report
from notifications.report.push import due, report_key, report_payload, report_rows
from notifications.report.summary import summary
from oms_client.alerts.outbox import OutboxStore
from oms_client.clock import Clock
from oms_client.reports.figures import Figures, Window
from oms_client.reports.sql import SqlReports
from oms_client.sql.database import Database

log = logging.getLogger(__name__)
DEFAULT_DAYS = 7


def window(first: date | None, last: date | None, today: date, zone: ZoneInfo) -> Window:
    """The days asked for, as instants in the shop's zone (`last` whole: up to its midnight)."""
    last = last or today
    first = first or last - timedelta(days=DEFAULT_DAYS - 1)
    start = datetime.combine(first, time(), zone)
    return Window(first, last, start, datetime.combine(last + timedelta(days=1), time(), zone))


@dataclass(frozen=True)
class Reports:
    database: Database
    zone: ZoneInfo
    clock: Clock
    roster: Roster  # staff chats are not customers' conversations
    config: ReportConfig

    async def figures(self, period: Window) -> Figures:
        staff = {f"{channel}:{chat}" for member in self.roster.members for channel, chat in member.accounts().items()}
        return await SqlReports(self.database, self.zone).figures(period, staff, tables=self.config.tables)

    def today(self) -> date:
        return self.clock.now().astimezone(self.zone).date()

    async def on_demand(self) -> tuple[str, bytes | None]:
        """Today so far, for `/report`: the text and the key chart (none where no CJK font is found)."""
        found = await self.figures(window(self.today(), self.today(), self.today(), self.zone))
        payload = report_payload("today", found, None)
        return "\n".join((payload["title"], *payload["lines"])), chart_png(found)


@dataclass(frozen=True)
class ReportPush:
    """Queues the reports due for the ops targets; run every minute by the lease holder."""

    reports: Reports
    outbox: OutboxStore
    targets: tuple[str, ...]

    async def tick(self) -> int:
        reports, queued = self.reports, 0
        now = reports.clock.now()
        for kind, first, last in due(reports.config, now.astimezone(reports.zone)):
            if not self.targets or await self.outbox.has(report_key(kind, first, self.targets[-1])):
                continue  # queued already: not figured again every minute of the day
            found = await reports.figures(window(first, last, reports.today(), reports.zone))
            rows = report_rows(kind, found, chart_png(found), list(self.targets), now)
            queued += await self.outbox.enqueue_once(rows)
        return queued


def chart_png(found: Figures) -> bytes | None:
    try:
        return key_chart(found).png
    except FontMissing as missing:
        log.warning("report pushed without its chart: %s", missing)
        return None


async def report_command(
    reports: Reports, first: date | None, last: date | None, out: Path | None, as_json: bool
) -> int:
    if first and last and first > last:
        print(f"--from {first} 晚于 --to {last}：请给一个先后正确的日期范围", file=sys.stderr)
        return 2
    found = await reports.figures(window(first, last, reports.today(), reports.zone))
    if out is not None:
        try:
            written = write_report(found, out)
        except FontMissing as error:
            print(str(error), file=sys.stderr)
            return 2
        print(f"已写入 {written}", file=sys.stderr)
    print(json.dumps(found.as_dict(), ensure_ascii=False, indent=2) if as_json else summary(found))
    return 0
