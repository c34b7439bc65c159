"""The report in a few lines of Chinese: what the terminal prints and the pushed report's text."""

from __future__ import annotations

from decimal import Decimal

from handlers.aftersales.texts import REQUEST_NAMES
from handlers.intents import ROUTES
from handlers.staff.alert_texts import CHOICE_WORDS
from handlers.texts import COURIER_NAMES, PLATFORM_NAMES, name_of
from oms_client.reports.figures import Figures, Spread

# Why chats went to a person, as the hand-off records them.
HANDOFF_REASONS = {"human_agent": "要求转人工", "complaint": "投诉", "misunderstood": "没听懂"}


def platform(code: str) -> str:
    return name_of(PLATFORM_NAMES, code, "zh")


def courier(code: str) -> str:
    return name_of(COURIER_NAMES, code, "zh")


def kind(code: str) -> str:
    return name_of(REQUEST_NAMES, code, "zh")


def intent(code: str) -> str:
    """An intent as its clarifying button names it (查物流, 催发货), else its code."""
    choice = ROUTES[code].choice if code in ROUTES else None
    return choice["zh"] if choice else code


def summary(figures: Figures) -> str:
    window = figures.window
    lines = [f"店铺报表 {window.first.isoformat()} 至 {window.last.isoformat()}"]
    lines += [_sales(figures), _shipping(figures), _parcels(figures), _aftersales(figures), _oversell(figures)]
    lines.append(_bot(figures))
    return "\n".join(lines)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def spread(value: Spread, unit: str) -> str:
    if not value.count:
        return "—"
    return f"中位 {value.median:g} {unit}，P90 {value.p90:g} {unit}"


def _sales(figures: Figures) -> str:
    orders: dict[str, int] = {}
    amount: dict[str, Decimal] = {}
    for day in figures.sales.by_day:
        orders[day.platform] = orders.get(day.platform, 0) + day.orders
        amount[day.platform] = amount.get(day.platform, Decimal(0)) + Decimal(day.amount)
    ranked = sorted(orders, key=lambda p: -orders[p])
    each = "，".join(f"{platform(p)} {orders[p]} 单 ¥{amount[p]:,.2f}" for p in ranked)
    total = sum(amount.values(), Decimal(0))
    return f"销售：付款订单 {sum(orders.values())} 单，¥{total:,.2f}" + (f"（{each}）" if each else "")


def _shipping(figures: Figures) -> str:
    sales = figures.sales
    waits = [s for s in sales.paid_to_shipped_hours.values() if s.count]
    kept = "，".join(f"{platform(p)} {percent(v)}" for p, v in sales.on_time.items())
    parts = [f"{platform(p)} {spread(s, '小时')}" for p, s in sales.paid_to_shipped_hours.items() if s.count]
    head = "发货：付款到发货 " + ("；".join(parts) if waits else "—")
    return head + (f"。按承诺时间发货：{kept}" if kept else "")


def _parcels(figures: Figures) -> str:
    troubled = figures.sales.troubled_parcels
    stalled = sum(c.get("stalled", 0) for c in troubled.values())
    failed = sum(c.get("exception", 0) for c in troubled.values())
    each = "，".join(f"{courier(k)} 停滞 {c.get('stalled', 0)} 异常 {c.get('exception', 0)}"
                    for k, c in troubled.items())  # fmt: skip
    return f"物流：停滞 {stalled} 件，异常 {failed} 件" + (f"（{each}）" if each else "")


def _aftersales(figures: Figures) -> str:
    after = figures.aftersales
    kinds = {kind: sum(reasons.values()) for kind, reasons in after.cases.items()}
    each = "，".join(f"{kind(k)} {n}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
    return (
        f"售后：申请 {sum(kinds.values())} 件" + (f"（{each}）" if each else "")
        + f"，售后率 {percent(after.rate)}，通过率 {percent(after.approval_rate)}，"
        f"处理用时 {spread(after.to_decision_hours, '小时')}，关闭用时 {spread(after.to_close_hours, '小时')}，"
        f"退款 ¥{Decimal(after.refunded):,.2f}"
    )  # fmt: skip


def _oversell(figures: Figures) -> str:
    over = figures.oversell
    if not over.skus:
        return "超卖：无"
    chose = "，".join(f"{CHOICE_WORDS.get(k, k)} {n}" for k, n in over.choices.items())
    told = f"；已通知顾客 {over.customers_told} 位" + (f"（{chose}）" if chose else "")
    return f"超卖：{len(over.skus)} 个 SKU（{'、'.join(over.skus[:5])}），缺 {over.short_units} 件{told}"


def _bot(figures: Figures) -> str:
    bot = figures.bot
    reasons = "，".join(f"{HANDOFF_REASONS.get(k, k)} {n}" for k, n in bot.handoff_reasons.items())
    proofs = bot.proofs
    return (
        f"客服机器人：会话 {bot.conversations} 个，自助解决率 {percent(bot.self_service_rate)}，"
        f"转人工 {percent(bot.handoff_rate)}" + (f"（{reasons}）" if reasons else "")
        + f"，首次响应 {spread(bot.first_response_seconds, '秒')}；身份验证 成功 {proofs.get('succeeded', 0)} 次、"
        f"失败 {proofs.get('failed', 0)} 次、锁定 {proofs.get('locked', 0)} 个；主动通知 {bot.notices_sent} 条"
        + _asked(figures)
    )  # fmt: skip


def _asked(figures: Figures) -> str:
    """The questions asked most, and how often the bot was unsure and asked back."""
    bot = figures.bot
    if not bot.intents:
        return ""
    top = "，".join(f"{intent(code)} {count}" for code, count in list(bot.intents.items())[:5])
    return f"；问得最多：{top}；没把握而反问 {bot.clarifications} 次"
