"""Service agents talking to customers through the bot: claim a waiting chat, write, switch, hand back.

An agent may hold several chats. Text that is no command goes to the chat they turned to last (claiming or
`/to N` turns to one), and with more than one held the bot says which customer it went to. Customers'
messages reach the agent prefixed with the chat's number, on whatever channel either of them uses.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.handoff.queue import REASON_LABELS, summary_lines, waiting_pictures
from handlers.messages import Address, Button, IncomingMessage, Reply, picture_refs
from handlers.staff.desk import receiver_line
from handlers.staff.roster import StaffMember
from handlers.texts import STATE_NAMES, name_of, say
from oms_client.clock import Clock
from oms_client.domain import Handoff, HandoffNotFound, HandoffState, HandoffTaken
from oms_client.store import OrderStore

COMMAND = re.compile(r"^/(chats|claim|to|end)(?:@[a-z]\w*)?(?:\s+(.*))?$", re.IGNORECASE | re.DOTALL)
TARGET = re.compile(r"^#?(\d{1,9})(?:\s+(.*))?$", re.DOTALL)
USAGE = (
    "人工对话命令：\n/chats 我接待的对话和排队的顾客\n/claim 编号 接入\n"
    "/to 编号 [消息] 切换到该顾客（可直接带上消息）\n/end [编号] 结束并交回小二\n接入后直接发文字即可转给顾客。"
)
LISTED = 10


class AgentChats:
    def __init__(self, store: OrderStore, clock: Clock, zone: ZoneInfo) -> None:
        self.store, self.clock, self.zone = store, clock, zone

    async def handle(self, member: StaffMember, message: IncomingMessage) -> list[Reply] | None:
        """Replies to a chat command or a relayed message; None for other commands (cases, alerts)."""
        text = message.text.strip()
        match = COMMAND.match(text)
        if match is None:
            return None if text.startswith("/") else await self._write(member, message, None)
        command, rest = match.group(1).lower(), (match.group(2) or "").strip()
        if command == "chats":
            return [await self._list(member)]
        if command == "end" and not rest:
            return await self._end(member, None)
        target = TARGET.match(rest)
        if target is None:
            return [Reply(USAGE)]
        handoff_id, words = int(target.group(1)), (target.group(2) or "").strip()
        try:
            if command == "claim":
                return await self._claim(member, message, handoff_id)
            if command == "end":
                return await self._end(member, handoff_id)
            return await self._turn_to(member, message, handoff_id, words)
        except HandoffNotFound:
            return [Reply(f"没有找到对话 #{handoff_id}，发送 /chats 查看。")]

    async def _list(self, member: StaffMember) -> Reply:
        held = await self.store.agent_handoffs(member.id)
        waiting = await self.store.waiting_handoffs(LISTED)
        now = self.clock.now()
        lines = ["您正在接待：" if held else "您现在没有接待中的对话。"]
        lines += [f"{'▶' if i == 0 else '  '} {_headline(h)}" for i, h in enumerate(held)]
        lines.append(f"排队中（{len(waiting)}）：" if waiting else "没有排队的顾客 ✅")
        lines += [f"  {_headline(h)} · 等了 {_waited(h.created_at, now)}" for h in waiting]
        buttons = tuple(Button(f"接入 #{h.id}", f"/claim {h.id}") for h in waiting)
        return Reply("\n".join(lines), buttons)

    async def _claim(self, member: StaffMember, message: IncomingMessage, handoff_id: int) -> list[Reply]:
        now = self.clock.now()
        agent_chat = Address(message.channel, message.chat_id).key
        try:
            handoff = await self.store.claim_handoff(handoff_id, member.id, agent_chat, now)
        except HandoffTaken as taken:
            return [Reply(_taken(taken.current))]
        await self.store.audit(f"agent:{member.id}", "view_handoff", ("handoff", str(handoff.id)), {}, now)
        lines = [*summary_lines(handoff, self.zone), *await self._order_lines(handoff)]
        lines.append(f"已接入 #{handoff.id}：接下来您发的文字都会转给这位顾客。/end {handoff.id} 结束并交回小二。")
        customer = Reply(say("ho_claimed", handoff.lang, agent=member.name), to=Address.of(handoff.chat_key))
        end = (Button(f"结束 #{handoff.id}", f"/end {handoff.id}"),)
        return [Reply("\n".join(lines), end, pictures=waiting_pictures(handoff)), customer]

    async def _turn_to(self, member: StaffMember, message: IncomingMessage, handoff_id: int, words: str) -> list[Reply]:
        if not await self.store.focus_handoff(handoff_id, member.id, self.clock.now()):
            return [Reply(f"您没有在接待 #{handoff_id}，发送 /chats 查看。")]
        if not words:
            return [Reply(f"已切换到 #{handoff_id}，接下来的消息会发给这位顾客。")]
        return await self._write(member, message, words)

    async def _write(self, member: StaffMember, message: IncomingMessage, words: str | None) -> list[Reply]:
        """Relay the agent's words to the chat they turned to last; holding none, say it went nowhere (an agent
        typing after a chat ended must not think the customer read it, nor be answered as a customer)."""
        held = await self.store.agent_handoffs(member.id)
        if not held:
            return [Reply("您现在没有接待中的对话，这条消息没有发给任何顾客。发送 /chats 查看排队的顾客。")]
        handoff, text = held[0], message.text.strip() if words is None else words
        photos = picture_refs(message.attachments)
        if not text and not photos:
            return [Reply("这条消息里没有可以转给顾客的文字或图片。")]
        said = say("ho_agent_says" if text else "ho_agent_sends_photos", handoff.lang, agent=member.name, text=text)
        relayed = Reply(said, to=Address.of(handoff.chat_key), pictures=photos)
        if len(held) == 1:
            return [relayed]
        return [relayed, Reply(f"↪ 已发给 #{handoff.id}（您在接待 {len(held)} 位顾客，/to 编号 切换）")]

    async def _end(self, member: StaffMember, handoff_id: int | None) -> list[Reply]:
        held = await self.store.agent_handoffs(member.id)
        if handoff_id is None and not held:
            return [Reply("您现在没有接待中的对话。")]
        handoff = held[0] if handoff_id is None else await self.store.get_handoff(handoff_id)
        if handoff.state is HandoffState.ACTIVE and handoff.agent_id != member.id:
            return [Reply(f"#{handoff.id} 正由 {handoff.agent_id} 接待，只有接待的同事可以结束。")]
        try:
            handoff = await self.store.end_handoff(handoff.id, f"agent:{member.id}", self.clock.now())
        except HandoffTaken:
            return [Reply(f"#{handoff.id} 已经结束了。")]
        left = [h for h in held if h.id != handoff.id]
        rest = f"您还在接待：{'、'.join(f'#{h.id}' for h in left)}" if left else "您现在没有接待中的对话。"
        customer = Reply(say("ho_ended", handoff.lang), to=Address.of(handoff.chat_key))
        return [Reply(f"#{handoff.id} 已结束，交回小二。{rest}"), customer]

    async def _order_lines(self, handoff: Handoff) -> list[str]:
        """The proved order in full (receiver unmasked: the agent needs it; the viewing is audited)."""
        platform, order_no = handoff.summary.get("platform"), str(handoff.summary.get("order_no", ""))
        orders = [o for o in await self.store.find_orders(order_no) if o.platform == platform] if platform else []
        if not orders:
            return []
        order = orders[0]
        items = "、".join(f"{line.title} ×{line.qty}" for line in order.lines)
        return [f"订单状态：{name_of(STATE_NAMES, order.state, 'zh')} · {items}", receiver_line(order.receiver)]


def _headline(handoff: Handoff) -> str:
    order = f" · 订单 {handoff.summary['order_no']}" if handoff.summary.get("order_no") else ""
    reason = REASON_LABELS.get(handoff.reason, handoff.reason)
    return f"#{handoff.id} · {handoff.chat_key.partition(':')[0]} · {reason}{order}"


def _taken(current: Handoff) -> str:
    if current.state is HandoffState.ACTIVE:
        return f"#{current.id} 已由 {current.agent_id} 接入。"
    return f"#{current.id} 已经结束（顾客取消了排队，或已处理完）。"


def _waited(since: datetime, now: datetime) -> str:
    minutes = max(int((now - since).total_seconds() // 60), 0)
    return f"{minutes // 60} 小时 {minutes % 60} 分钟" if minutes >= 60 else f"{minutes} 分钟"
