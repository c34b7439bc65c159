"""How alerts read for ops staff: one line each, Chinese, grouped by kind, worst first."""

from __future__ import annotations

from oms_client.alerts import Alert, AlertsChange

KIND_NAMES = {
    "oversell": "超卖",
    "ship_overdue": "发货超时",
    "ship_due_soon": "即将超时",
    "transit_stalled": "物流停滞",
    "transit_exception": "物流异常",
    "aftersales_overdue": "售后超时",
}
SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}
SHOWN_PER_KIND = 20


def describe(alert: Alert) -> str:
    d = alert.detail
    if alert.kind == "oversell":
        return f"待发 {d['demand']} 件，库存 {d['on_hand']} 件；受影响订单：{'、'.join(d['orders_at_risk'])}"
    if alert.kind == "ship_overdue":
        return f"已超过承诺发货时间 {d['late_hours']} 小时"
    if alert.kind == "ship_due_soon":
        return f"距承诺发货时间还剩 {d['hours_left']} 小时"
    if alert.kind in ("transit_stalled", "transit_exception"):
        return f"订单 {d['order']} · {d['courier']} · {d['silent_hours']} 小时无更新 · 最新：{d['last_event']}"
    return f"{d.get('case_kind', '')} 状态 {d.get('state', '')}，创建于 {d.get('created_at', '')}"


def alerts_as_text(change: AlertsChange) -> str:
    new = sum(alert.is_new for alert in change.open)
    lines = [f"新告警 {new} 条 · 仍未解决 {len(change.open) - new} 条 · 已恢复 {len(change.resolved)} 条"]
    by_kind: dict[str, list[Alert]] = {}
    for alert in sorted(change.open, key=lambda a: (SEVERITY_ORDER.get(a.severity, 9), a.kind, a.subject)):
        by_kind.setdefault(alert.kind, []).append(alert)
    for kind, alerts in by_kind.items():
        lines.append(f"【{KIND_NAMES.get(kind, kind)}】{len(alerts)} 条")
        lines += [_line(alert) for alert in alerts[:SHOWN_PER_KIND]]
        if len(alerts) > SHOWN_PER_KIND:
            lines.append(f"  … 还有 {len(alerts) - SHOWN_PER_KIND} 条（--json 查看全部）")
    lines += [f"  ✅ 已恢复：{KIND_NAMES.get(a.kind, a.kind)} {a.subject}" for a in change.resolved[:SHOWN_PER_KIND]]
    return "\n".join(lines)


def _line(alert: Alert) -> str:
    mark = "🆕 " if alert.is_new else ""
    return f"  {mark}[{alert.severity}] {alert.subject} — {describe(alert)}"
