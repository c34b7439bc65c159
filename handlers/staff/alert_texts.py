"""How alerts read for ops staff: one line each, Chinese, grouped by kind, worst first."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from handlers.handoff.queue import REASON_LABELS
from handlers.texts import COURIER_NAMES, PLATFORM_NAMES, name_of
from oms_client.alerting import SEVERITY_RANK, Alert, AlertsChange

SEVERITY_NAMES = {"critical": "严重", "warning": "警告", "info": "提示"}
SHOWN_PER_KIND = 20
# Orders are stored as "jd:266255553053"; staff read "京东 266255553053".
_ORDER_KEY = re.compile(rf"\b({'|'.join(PLATFORM_NAMES)}):(?=\S)")
Describe = Callable[[dict[str, Any], datetime], str]


def _oversell(d: dict[str, Any], now: datetime) -> str:
    text = f"待发 {d['demand']} 件，库存 {d['on_hand']} 件；受影响订单：{'、'.join(d['orders_at_risk'])}"
    said = d.get("customers") or {}
    if not said:
        return text
    chose = "，".join(f"{CHOICE_WORDS[key]} {said[key]}" for key in CHOICE_WORDS if said.get(key))
    return f"{text}；已通知顾客 {said['told']} 位" + (f"（{chose}）" if chose else "")


CHOICE_WORDS = {"wait": "等待补货", "switch": "换款", "cancel": "取消"}


def _ship_overdue(d: dict[str, Any], now: datetime) -> str:
    return f"已超过承诺发货时间 {_hours_since(d['promised_ship_by'], now)} 小时"


def _ship_due_soon(d: dict[str, Any], now: datetime) -> str:
    return f"距承诺发货时间还剩 {-_hours_since(d['promised_ship_by'], now)} 小时"


def _transit(d: dict[str, Any], now: datetime) -> str:
    silent = _hours_since(d["last_event_at"], now)
    courier = name_of(COURIER_NAMES, d["courier"], "zh")
    return f"订单 {d['order']} · {courier} · {silent} 小时无更新 · 最新：{d['last_event']}"


def _order_held(d: dict[str, Any], now: datetime) -> str:
    promised = (datetime.fromisoformat(d["until"]) - datetime.fromisoformat(d["since"])).total_seconds() / 3600
    waited = _hours_since(d["since"], now)
    return f"{d['reason']} · 已等待 {waited} 小时（答应顾客 {promised:g} 小时内审完）；/release 订单号 放行"


def _predicted_late(d: dict[str, Any], now: datetime) -> str:
    courier = name_of(COURIER_NAMES, d["courier"], "zh")
    days = _hours_since(d["shipped_at"], now) / 24
    usual = d["usual_hours"] / 24
    return (
        f"订单 {d['order']} · {courier} · 已发出 {days:.1f} 天，这条线路九成包裹 {usual:.1f} 天内送达"
        f" · 最新：{d['last_event']}"
    )


def _aftersales_overdue(d: dict[str, Any], now: datetime) -> str:
    return f"{d.get('case_kind', '')} 状态 {d.get('state', '')}，创建于 {d.get('created_at', '')}"


def _handoff_waiting(d: dict[str, Any], now: datetime) -> str:
    minutes = int((now - datetime.fromisoformat(d["since"])).total_seconds() // 60)
    why = REASON_LABELS.get(d["reason"], d["reason"])
    return f"顾客已等待 {minutes} 分钟无人接入（{why}，来自 {d['channel']}）；发送 /chats 查看并接入"


def _events_stuck(d: dict[str, Any], now: datetime) -> str:
    minutes = int((now - datetime.fromisoformat(d["since"])).total_seconds() // 60)
    answer = f"；对方最后的回应：{d['error']}" if d.get("error") else ""
    return f"{d['count']} 条事件 {minutes} 分钟未送达卖家系统（webhook）{answer}；相关订单的后续事件也在排队"


# Each alert kind's name and facts as staff read them (the kinds: oms_client.alerts.kinds).
WORDING: dict[str, tuple[str, Describe]] = {
    "oversell": ("超卖", _oversell),
    "ship_overdue": ("发货超时", _ship_overdue),
    "ship_due_soon": ("即将超时", _ship_due_soon),
    "order_held": ("订单待审核", _order_held),
    "transit_stalled": ("物流停滞", _transit),
    "transit_exception": ("物流异常", _transit),
    "transit_predicted_late": ("预计晚到", _predicted_late),
    "aftersales_overdue": ("售后超时", _aftersales_overdue),
    "handoff_waiting": ("转人工无人接待", _handoff_waiting),
    "events_stuck": ("事件推送受阻", _events_stuck),
}


def describe(alert: Alert, now: datetime) -> str:
    """The alert's facts with the figures that depend on the time it is read (hours late, silent); a kind
    this code does not know (an older process reading a newer store) shows its facts as they are."""
    wording = WORDING.get(alert.kind)
    return wording[1](alert.detail, now) if wording else str(alert.detail)


def kind_name(kind: str) -> str:
    wording = WORDING.get(kind)
    return wording[0] if wording else kind


def readable(line: str) -> str:
    """A line for staff with every stored order key ("jd:266…") written as staff say it ("京东 266…")."""
    return _ORDER_KEY.sub(lambda m: name_of(PLATFORM_NAMES, m.group(1), "zh") + " ", line)


def _hours_since(iso: str, now: datetime) -> float:
    return round((now - datetime.fromisoformat(iso)).total_seconds() / 3600, 1)


def alerts_as_text(change: AlertsChange, now: datetime) -> str:
    new = sum(alert.is_new for alert in change.open)
    lines = [f"新告警 {new} 条 · 仍未解决 {len(change.open) - new} 条 · 已恢复 {len(change.resolved)} 条"]
    by_kind: dict[str, list[Alert]] = {}
    for alert in sorted(change.open, key=lambda a: (-SEVERITY_RANK.get(a.severity, -1), a.kind, a.subject)):
        by_kind.setdefault(alert.kind, []).append(alert)
    for kind, alerts in by_kind.items():
        lines.append(f"【{kind_name(kind)}】{len(alerts)} 条")
        lines += [_line(alert, now) for alert in alerts[:SHOWN_PER_KIND]]
        if len(alerts) > SHOWN_PER_KIND:
            lines.append(f"  … 还有 {len(alerts) - SHOWN_PER_KIND} 条（--json 查看全部）")
    lines += [readable(f"  ✅ 已恢复：{kind_name(a.kind)} {a.subject}") for a in change.resolved[:SHOWN_PER_KIND]]
    return "\n".join(lines)


def _line(alert: Alert, now: datetime) -> str:
    mark = "🆕 " if alert.is_new else ""
    severity = SEVERITY_NAMES.get(alert.severity, alert.severity)
    return readable(f"  {mark}[{severity}] {alert.subject} — {describe(alert, now)}")
