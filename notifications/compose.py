"""What an ops push says, before any platform formats it: a title, lines and the buttons to act with.

One message for one item; a digest when several are due at once for the same target, so a flood of
alerts becomes one readable message instead of being throttled away.
"""

from __future__ import annotations

import base64
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.messages import Button
from handlers.staff.alert_texts import SEVERITY_NAMES, describe, kind_name
from oms_client.alerting import RESOLVED, SEVERITY_RANK, Alert
from oms_client.alerts.outbox import OutboxItem

SEVERITY_MARKS = {"critical": "🔴", "warning": "🟠", "info": "🔵"}
DIGEST_SHOWN = 10
SNOOZE_DEFAULT = "2h"


@dataclass(frozen=True)
class PushMessage:
    title: str
    lines: tuple[str, ...]
    severity: str
    buttons: tuple[Button, ...] = ()
    image: bytes | None = None  # a PNG to send with it (the pushed report's key chart)


def compose(items: list[OutboxItem], topics: Counter[str], total: int, now: datetime, zone: ZoneInfo) -> PushMessage:
    if total == 1 and items:
        return single(items[0], now, zone)
    return digest(items, topics, total, now, zone)


def single(item: OutboxItem, now: datetime, zone: ZoneInfo) -> PushMessage:
    if item.kind == "dead_letters":
        return _dead_letters(item)
    alert = item.alert
    if alert is None:
        image = base64.b64decode(item.payload["image"]) if item.payload.get("image") else None
        return PushMessage(item.payload.get("title", "通知"), tuple(item.payload.get("lines", ())), item.severity,
                           image=image)  # fmt: skip
    mark = SEVERITY_MARKS.get(alert.severity, "")
    heading = f"{mark} {SEVERITY_NAMES.get(alert.severity, alert.severity)} · {kind_name(alert.kind)} {alert.subject}"
    since = f"首次发现：{_local(alert.first_seen, zone)}"
    if item.kind == "resolved":
        hours = round((now - alert.first_seen).total_seconds() / 3600, 1)
        return PushMessage(
            f"✅ 已恢复 · {kind_name(alert.kind)} {alert.subject}", (f"持续 {hours} 小时", since), "info"
        )
    prefix = {"worsened": "⬆️ 升级 · ", "escalation": "⏫ 无人确认，升级提醒 · "}.get(item.kind, "")
    lines = [describe(alert, now), since, *_handling(alert)]
    buttons = _actions(alert) if alert.status != RESOLVED else ()
    return PushMessage(prefix + heading, tuple(lines), alert.severity, buttons)


def digest(items: list[OutboxItem], topics: Counter[str], total: int, now: datetime, zone: ZoneInfo) -> PushMessage:
    summary = " · ".join(f"{_topic_name(topic)} {count} 条" for topic, count in topics.most_common())
    lines = [summary]
    for item in items[:DIGEST_SHOWN]:
        lines.append(_digest_line(item, now))
    if total > len(items[:DIGEST_SHOWN]):
        lines.append(f"… 还有 {total - len(items[:DIGEST_SHOWN])} 条，发送 /alerts 查看未处理告警")
    worst = max((item.severity for item in items), key=lambda s: SEVERITY_RANK.get(s, -1), default="info")
    title = f"{SEVERITY_MARKS.get(worst, '')} 告警汇总 · 共 {total} 条（{_local(now, zone)}）"
    return PushMessage(title, tuple(lines), worst, (Button("查看未处理告警", "/alerts"),))


def _digest_line(item: OutboxItem, now: datetime) -> str:
    alert = item.alert
    if alert is None:
        return f"· {_topic_name(item.kind)}"
    if item.kind == "resolved":
        return f"· ✅ 已恢复 {kind_name(alert.kind)} {alert.subject}"
    return (
        f"· [{SEVERITY_NAMES.get(alert.severity, '')}] {kind_name(alert.kind)} {alert.subject}：{describe(alert, now)}"
    )


def _handling(alert: Alert) -> list[str]:
    lines = []
    if alert.acked_by:
        lines.append(f"已确认：{alert.acked_by}")
    if alert.assignee:
        lines.append(f"负责人：{alert.assignee}")
    return lines


def _actions(alert: Alert) -> tuple[Button, ...]:
    return (
        Button("确认", f"/ack {alert.id}"),
        Button("稍后提醒", f"/snooze {alert.id} {SNOOZE_DEFAULT}"),
        Button("我来处理", f"/assign {alert.id}"),
    )


def _dead_letters(item: OutboxItem) -> PushMessage:
    p = item.payload
    lines = (
        f"{p.get('count', 0)} 条消息重试多次仍未送达“{p.get('target', '')}”，已存入死信表。",
        f"最后错误：{p.get('error', '')}",
    )
    return PushMessage("⚠️ 推送失败", lines, "critical")


def _topic_name(topic: str) -> str:
    return {"dead_letters": "推送失败", "escalation": "升级提醒"}.get(topic, kind_name(topic))


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%m-%d %H:%M")
