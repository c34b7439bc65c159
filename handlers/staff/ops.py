"""Ops staff commands from their chat: list, acknowledge, snooze and assign alerts; list, release and cancel the
orders the automatic review holds.

The same commands are typed on WeCom and the console, and sent by the buttons of a Telegram push
(the button's data is the command), so there is one path for all of them.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from handlers.messages import Image, Reply
from handlers.staff.alert_texts import SEVERITY_NAMES, WORDING, describe, kind_name, readable
from handlers.staff.roster import Roster, StaffMember
from handlers.texts import PLATFORM_NAMES, code_named, name_of
from oms_client.alerting import SEVERITY_RANK, Alert, AlertDesk, AlertFilter, AlertPage, Handled, Outcome
from oms_client.clock import Clock
from oms_client.review import Decided, HoldDesk

COMMAND = re.compile(
    r"^/(alerts|ack|snooze|assign|help|holds|release|hold-cancel|report)(?:@\w+)?(?:\s+(.*))?$",
    re.IGNORECASE | re.DOTALL,
)
DURATION = re.compile(r"^(\d{1,4})\s*(m|min|分钟|h|小时|d|天)$", re.IGNORECASE)
UNITS = {"m": 1, "min": 1, "分钟": 1, "h": 60, "小时": 60, "d": 1440, "天": 1440}
MAX_SNOOZE = timedelta(days=7)
LISTED = 10
USAGE = (
    "告警命令：\n/alerts [页码] [级别或类型] 未处理告警，严重的在前（如 /alerts 2、/alerts 严重、/alerts 超卖）\n"
    "/ack 编号 确认\n/snooze 编号 时长 暂停提醒（如 30m、2h、1d）\n/assign 编号 [同事ID] 指派（不写则指派给自己）\n"
    "/holds 查看待审核订单\n/release 订单号 审核通过，放行发货\n/hold-cancel 订单号 原因 审核不通过，取消订单\n"
    "/report 今日报表（截至现在）"
)


class ReportDesk(Protocol):
    async def on_demand(self) -> tuple[str, bytes | None]:
        """Today's report so far: its text, and its key chart as a PNG where one could be drawn."""


class OpsCommands:
    def __init__(
        self,
        alerts: AlertDesk,
        roster: Roster,
        clock: Clock,
        zone: ZoneInfo,
        holds: HoldDesk | None = None,
        reports: ReportDesk | None = None,
    ) -> None:
        self.alerts, self.roster, self.clock, self.zone, self.holds = alerts, roster, clock, zone, holds
        self.reports = reports

    async def handle(self, member: StaffMember, text: str) -> Reply | None:
        """The reply to an ops command, or None when the text is not one (it goes to the dialogue)."""
        match = COMMAND.match(text.strip())
        if match is None:
            return None
        command, args = match.group(1).lower(), (match.group(2) or "").split()
        if command == "alerts":
            return await self._list(args)
        if command == "report" and self.reports is not None:
            text, chart = await self.reports.on_demand()
            return Reply(text, image=Image(chart, caption=text.splitlines()[0]) if chart else None)
        if command in ("holds", "release", "hold-cancel") and self.holds is not None:
            return await self._hold_command(self.holds, member, command, args)
        if command == "help" or not args or not args[0].lstrip("#").isdigit():
            return Reply(USAGE)
        alert_id = int(args[0].lstrip("#"))
        if command == "ack":
            return self._said(
                alert_id, await self.alerts.acknowledge(alert_id, member.name, self.clock.now()), "已确认"
            )
        if command == "snooze":
            return await self._snooze(member, alert_id, args[1:])
        return await self._assign(member, alert_id, args[1:])

    async def _list(self, args: list[str]) -> Reply:
        asked = _alert_query(args)
        if isinstance(asked, str):
            return Reply(asked)
        shown, page = asked
        found = await self.alerts.open_page(shown, (page - 1) * LISTED, LISTED)
        if not found.counts:
            return Reply("目前没有未处理的告警 ✅")
        lines = _alert_summary(found)
        pages = max(1, -(-found.matching // LISTED))
        if shown != AlertFilter():
            lines.append(f"筛选：{_filter_words(shown)} · {found.matching} 条")
        if not found.alerts:
            return Reply("\n".join([*lines, f"没有第 {page} 页（共 {pages} 页）。"]))
        lines.append(f"第 {page}/{pages} 页（严重在前，同级最早发现的在前）：")
        now = self.clock.now()
        lines += [self._line(alert, now) for alert in found.alerts]
        if page < pages:
            lines.append(f"下一页：/alerts {page + 1}{''.join(' ' + w for w in _filter_args(shown))}")
        lines.append("按级别或类型看：/alerts 严重、/alerts 超卖")
        return Reply("\n".join(lines))

    def _line(self, alert: Alert, now: datetime) -> str:
        who = f" · 已确认：{alert.acked_by}" if alert.acked_by else ""
        who += f" · 负责人：{alert.assignee}" if alert.assignee else ""
        severity = SEVERITY_NAMES.get(alert.severity, alert.severity)
        return readable(
            f"#{alert.id} [{severity}] {kind_name(alert.kind)} {alert.subject} — {describe(alert, now)}{who}"
        )

    async def _snooze(self, member: StaffMember, alert_id: int, args: list[str]) -> Reply:
        length = _duration(args[0] if args else "2h")
        if length is None or length > MAX_SNOOZE:
            return Reply("时长格式不对：请写 30m、2h 或 1d（最长 7 天），例如 /snooze 12 2h")
        now = self.clock.now()
        until = now + length
        outcome = await self.alerts.snooze(alert_id, member.name, until, now)
        return self._said(alert_id, outcome, f"已暂停提醒至 {until.astimezone(self.zone):%m-%d %H:%M}")

    async def _assign(self, member: StaffMember, alert_id: int, args: list[str]) -> Reply:
        assignee = member if not args else next((m for m in self.roster.members if m.id == args[0]), None)
        if assignee is None:
            known = "、".join(m.id for m in self.roster.members) or "（名册为空）"
            return Reply(f"没有同事 ID “{args[0]}”。可指派给：{known}")
        outcome = await self.alerts.assign(alert_id, member.name, assignee.name, self.clock.now())
        return self._said(alert_id, outcome, f"已指派给 {assignee.name}")

    async def _hold_command(self, holds: HoldDesk, member: StaffMember, command: str, args: list[str]) -> Reply:
        if command == "holds":
            return await self._held(holds)
        if not args:
            return Reply(
                f"请写订单号，例如 /{command} 4100000000000000001" + (" 地址无法送达" if "cancel" in command else "")
            )
        order_no, now = args[0].split(":")[-1], self.clock.now()
        if command == "release":
            decided, done = await holds.release(order_no, member.name, now), "已放行，发货时限从现在起重新计算"
        elif len(args) < 2:
            return Reply(f"请写明取消原因，例如 /hold-cancel {order_no} 地址无法送达")
        else:
            reason = " ".join(args[1:])[:100]
            decided, done = await holds.cancel(order_no, reason, member.name, now), f"已取消（原因：{reason}）"
        if decided is Decided.NOT_HELD:
            return Reply(f"没有待审核的订单 {order_no}，发送 /holds 查看。")
        return Reply(f"订单 {order_no} {done}。")

    async def _held(self, holds: HoldDesk) -> Reply:
        (total, found), now = await holds.held(), self.clock.now()
        if not found:
            return Reply("目前没有待审核的订单 ✅")
        shown = f"，这里是等得最久的 {len(found)} 单" if total > len(found) else "，最早的在前"
        lines = [f"待审核订单（共 {total} 单{shown}）："]
        for index, held in enumerate(found, start=1):
            hours = round((now - held.since).total_seconds() / 3600, 1)
            order = f"{name_of(PLATFORM_NAMES, held.platform, 'zh')} {held.order_no}"
            lines.append(f"{index}. {order} · ¥{held.total} · {held.reason} · 已等待 {hours} 小时")
        lines.append("放行：/release 订单号；取消：/hold-cancel 订单号 原因")
        return Reply("\n".join(lines))

    def _said(self, alert_id: int, outcome: Outcome, done: str) -> Reply:
        alert = outcome.alert
        label = f"告警 #{alert_id}" + (f"（{kind_name(alert.kind)} {alert.subject}）" if alert else "")
        if outcome.result is Handled.NOT_FOUND:
            return Reply(f"没有找到告警 #{alert_id}，发送 /alerts 查看未处理告警。")
        if outcome.result is Handled.RESOLVED:
            return Reply(f"{label} 已自动恢复，无需处理。")
        if outcome.result is Handled.ALREADY:
            return Reply(f"{label} 已由 {alert.acked_by if alert else '其他同事'} 处理过了。")
        return Reply(f"{label} {done}。")


def _alert_query(args: list[str]) -> tuple[AlertFilter, int] | str:
    """`/alerts [页码] [级别] [类型]` in any order, or what was not understood."""
    page, kind, severity = 1, None, None
    for word in args:
        if word.isdigit() and int(word) >= 1:
            page = int(word)
        elif (found := code_named(SEVERITY_NAMES, word.lower())) is not None:
            severity = found
        elif (found := code_named({k: name for k, (name, _) in WORDING.items()}, word.lower())) is not None:
            kind = found
        else:
            kinds = "、".join(name for name, _ in WORDING.values())
            return f"不认识“{word}”。可以写页码、级别（严重、警告、提示）或类型（{kinds}），例如 /alerts 严重 2"
    return AlertFilter(kind, severity), page


def _alert_summary(found: AlertPage) -> list[str]:
    severities = sorted(found.by(1).items(), key=lambda kv: -SEVERITY_RANK.get(kv[0], -1))
    kinds = sorted(found.by(0).items(), key=lambda kv: -kv[1])
    return [
        f"未处理告警共 {sum(found.counts.values())} 条："
        + " · ".join(f"{SEVERITY_NAMES.get(k, k)} {n}" for k, n in severities),
        "按类型：" + " · ".join(f"{kind_name(k)} {n}" for k, n in kinds),
    ]


def _filter_args(shown: AlertFilter) -> list[str]:
    """The filter as it is typed: what the next page's command repeats."""
    words = [SEVERITY_NAMES.get(shown.severity, shown.severity)] if shown.severity else []
    return words + ([kind_name(shown.kind)] if shown.kind else [])


def _filter_words(shown: AlertFilter) -> str:
    return " · ".join(_filter_args(shown))


def _duration(text: str) -> timedelta | None:
    match = DURATION.match(text.strip())
    if match is None or int(match.group(1)) == 0:
        return None
    return timedelta(minutes=int(match.group(1)) * UNITS[match.group(2).lower()])
