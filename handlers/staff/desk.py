"""Service agents work after-sales cases from their own chat: list, look, decide, ask, note, close.

Commands read the same on every channel (typed on WeCom and the console, sent by Telegram buttons). A button
carries the version the agent saw (`/approve 12@3`), so a decision made on an outdated view is refused and
the agent is shown the case as it now is; typed commands act on the current version, and of two agents at
once the store still lets exactly one win.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.aftersales.case_view import CaseView
from handlers.messages import Button, Reply
from handlers.staff.nlu_review import NluReview
from handlers.staff.roster import StaffMember
from handlers.texts import PLATFORM_NAMES, STATE_NAMES, name_of
from oms_client.case_rules import CaseAction, IllegalTransition, allowed_actions
from oms_client.clock import Clock
from oms_client.domain import Case, CaseEffectRefused, CaseNotFound, Receiver, StaleCase
from oms_client.store import OrderStore

A = CaseAction
TARGET = re.compile(r"^#?(\d{1,9})(?:@(\d{1,6}))?(?:\s+(.*))?$", re.DOTALL)
# Command word → the case action, and whether it needs words after the number (a reason, a question).
ACTIONS: dict[str, tuple[CaseAction, str | None]] = {
    "approve": (A.APPROVE, None),
    "reject": (A.REJECT, "why"),
    "ask": (A.ASK_INFO, "question"),
    "received": (A.RECEIVE_GOODS, None),
    "refund": (A.REFUND, None),
    "sent": (A.SEND_REPLACEMENT, None),
    "close": (A.CLOSE, None),
}
COMMAND_OF = {action: word for word, (action, _) in ACTIONS.items()}
COMMAND = re.compile(
    rf"^/(cases|case|note|{'|'.join(ACTIONS)})(?:@[a-z]\w*)?(?:\s+(.*))?$",
    re.IGNORECASE | re.DOTALL,
)
# What each move's button says to the agent.
LABELS = {
    A.APPROVE: "同意",
    A.REJECT: "拒绝",
    A.ASK_INFO: "要求补充",
    A.RECEIVE_GOODS: "已收到退货",
    A.REFUND: "已退款",
    A.SEND_REPLACEMENT: "已发出换货",
    A.CLOSE: "结案",
}
USAGE = (
    "售后命令：\n/cases 待处理的申请\n/case 编号 查看详情\n/approve 编号 同意\n/reject 编号 原因 拒绝\n"
    "/ask 编号 问题 请客户补充\n/received 编号 退货已到仓\n/refund 编号 [金额] 已退款\n/sent 编号 [单号] 换货已发出\n"
    "/close 编号 结案\n/note 编号 备注 内部备注\n"
    "/nlu-review 机器人没读懂的消息\n/label 编号 意图 告诉它那句话的意思\n"
    "/label 意图 告诉它接待中的顾客刚说的话是什么意思"
)
NEEDS_WORDS = {
    "why": "请写明拒绝原因，客户会看到：/reject {id} 原因",
    "question": "请写明要客户补充什么：/ask {id} 问题",
}
LISTED = 10


class AgentDesk:
    def __init__(self, store: OrderStore, clock: Clock, zone: ZoneInfo, return_address: str) -> None:
        self.store, self.clock, self.zone = store, clock, zone
        self.view = CaseView("zh", zone, return_address)
        self.nlu = NluReview(store, clock)

    async def handle(self, member: StaffMember, text: str) -> Reply | None:
        """The reply to a case command (or to teaching the bot), or None when the text is not one."""
        match = COMMAND.match(text.strip())
        if match is None:
            return await self.nlu.handle(member, text)
        command, rest = match.group(1).lower(), (match.group(2) or "").strip()
        if command == "cases":
            return await self._list()
        target = TARGET.match(rest)
        if target is None:
            return Reply(USAGE)
        case_id, seen, words = int(target.group(1)), target.group(2), (target.group(3) or "").strip()
        try:
            if command == "case":
                return await self._show(member, await self.store.get_case(case_id))
            if command == "note":
                return await self._note(member, case_id, words)
            return await self._act(member, command, case_id, int(seen) if seen else None, words)
        except CaseNotFound:
            return Reply(f"没有找到申请 #{case_id}，发送 /cases 查看待处理的申请。")

    async def _list(self) -> Reply:
        cases = await self.store.open_cases(limit=LISTED)
        if not cases:
            return Reply("目前没有待处理的售后申请 ✅")
        now = self.clock.now()
        lines = [f"待处理的售后申请（最早的在前，共 {len(cases)} 条）："]
        lines += [f"{self._headline(case)} · {_age(case.updated_at, now)}" for case in cases]
        buttons = tuple(Button(f"#{case.id}", f"/case {case.id}") for case in cases)
        return Reply("\n".join(lines), buttons)

    async def _show(self, member: StaffMember, case: Case) -> Reply:
        """Everything an agent needs to decide, the receiver unmasked (the viewing is audited)."""
        now = self.clock.now()
        await self.store.audit(_actor(member), "view_case", ("case", str(case.id)), {}, now)
        lines = [self._headline(case), *self._order_lines(case, await self._receiver(case))]
        lines += _detail_lines(case, self.view)
        lines.append(f"提交于 {case.created_at.astimezone(self.zone):%m-%d %H:%M}，来自 {_chat_of(case)}")
        buttons = tuple(
            Button(LABELS[action], f"/{COMMAND_OF[action]} {case.id}@{case.version}")
            for action in allowed_actions(case.kind, case.state)
            if action in LABELS
        )
        return Reply("\n".join(lines), buttons, pictures=tuple(case.detail.get("photos", [])))

    def announcement(self, case: Case) -> Reply:
        """A new case as every agent is pushed it: enough to decide whether to open it now (no receiver)."""
        lines = [
            f"🆕 新的售后申请 {self._headline(case)}",
            *self._order_lines(case, ""),
            *_detail_lines(case, self.view),
        ]
        return Reply("\n".join(lines), (Button(f"查看 #{case.id}", f"/case {case.id}"),))

    async def _act(self, member: StaffMember, command: str, case_id: int, seen: int | None, words: str) -> Reply:
        action, needs = ACTIONS[command]
        if needs and not words:
            return Reply(NEEDS_WORDS[needs].format(id=case_id))
        case = await self.store.get_case(case_id)
        detail = self._detail_for(command, needs, words)
        try:
            case = await self.store.act_on_case(
                case.id, action, _actor(member), seen or case.version, self.clock.now(), detail
            )
        except StaleCase as stale:
            return Reply(f"申请 #{case_id} 刚刚已被其他同事处理，现在是「{self.view.state(stale.current)}」。", (
                Button("查看", f"/case {case_id}"),))  # fmt: skip
        except IllegalTransition:
            step = LABELS[action]
            return Reply(f"申请 #{case_id} 现在是「{self.view.state(case)}」，这一步（{step}）现在不能做。")
        except CaseEffectRefused as refused:
            state = name_of(STATE_NAMES, refused.order_state, "zh")
            return Reply(f"申请 #{case_id} 没有批准：订单 {case.order_no} 现在是「{state}」，已经做不到了。"
                         "申请保持原样，可以拒绝并告诉客户原因，或转为其他处理。")  # fmt: skip
        return Reply(f"{self._headline(case)}\n✅ {LABELS[action]}：已记录，客户会收到通知。")

    def _detail_for(self, command: str, needs: str | None, words: str) -> dict[str, str]:
        if needs:
            return {needs: words[:300]}
        if command == "refund" and words:
            return {"amount": words[:20]}
        if command == "sent" and words:
            return {"replacement_waybill": words[:40]}
        return {}

    async def _note(self, member: StaffMember, case_id: int, words: str) -> Reply:
        if not words:
            return Reply(f"请写上备注内容：/note {case_id} 备注")
        case = await self.store.get_case(case_id)
        await self.store.audit(_actor(member), "case_note", ("case", str(case.id)), {"note": words[:500]},
                               self.clock.now())  # fmt: skip
        return Reply(f"已为申请 #{case.id} 添加备注（客户看不到）。")

    def _headline(self, case: Case) -> str:
        reason = f" · {self.view.reason(case.reason)}" if case.reason else ""
        platform = name_of(PLATFORM_NAMES, case.platform, "zh")
        return f"#{case.id} {self.view.kind(case)} · {platform} {case.order_no} · {self.view.state(case)}{reason}"

    async def _receiver(self, case: Case) -> str:
        orders = [o for o in await self.store.find_orders(case.order_no) if o.platform == case.platform]
        if not orders:
            return ""
        return receiver_line(orders[0].receiver)

    def _order_lines(self, case: Case, receiver: str) -> list[str]:
        items = "、".join(f"{i['title']} ×{i['qty']}" for i in case.detail.get("items", []))
        return [line for line in (f"商品：{items}" if items else "", receiver) if line]


def receiver_line(r: Receiver) -> str:
    """The receiver in full: for staff only, and only in views whose reading is audited."""
    return f"收货人：{r.name} {r.phone} {r.province}{r.city}{r.district}{r.detail}"


def _detail_lines(case: Case, view: CaseView) -> list[str]:
    detail = case.detail
    labels = (
        ("words", "客户原话"),
        ("attribute", "换成"),
        ("address", "新地址"),
        ("question", "已请客户补充"),
        ("answer", "客户补充"),
        ("why", "拒绝原因"),
    )
    lines = [f"{label}：{detail[key]}" for key, label in labels if detail.get(key)]
    if detail.get("photos"):
        lines.append(f"照片：{len(detail['photos'])} 张")
    if detail.get("return_waybill"):
        lines.append(f"退货单号：{view.waybill(case)}")
    return lines


def _chat_of(case: Case) -> str:
    """Which channel the customer wrote on (their chat id stays out of the agents' chats)."""
    return (case.filed_by or "-").partition(":")[0]


def _actor(member: StaffMember) -> str:
    return f"agent:{member.id}"


def _age(since: datetime, now: datetime) -> str:
    hours = int((now - since).total_seconds() // 3600)
    return f"{hours // 24} 天前" if hours >= 24 else f"{max(hours, 0)} 小时前"
