"""Agents teach the bot from their chat: `/nlu-review` lists the customer messages it was unsure of or misread
(numbers replaced), `/label 编号 意图` says what one meant — an intent's code or its name as the bot's buttons
say it (查物流, 催发货, 我要投诉 …, plus 问候 and 其他) — and `/label 意图` alone labels the last thing the
customer the agent is talking to said (a correction made while serving them). `xiaoer nlu train --shop` learns
the labelled ones on top of the shipped data, into the shop's own model file."""

from __future__ import annotations

import re

from handlers.intents import ROUTES
from handlers.messages import Reply
from handlers.staff.roster import StaffMember
from handlers.texts import code_named
from nlu import INTENTS, parse
from oms_client.clock import Clock
from oms_client.store import OrderStore

COMMAND = re.compile(r"^/(nlu-review|label)(?:@\w+)?(?:\s+(.*))?$", re.IGNORECASE | re.DOTALL)
LISTED = 10
# Every intent by the name agents know it by: its clarifying button's words where it has one.
NAMES = {code: (ROUTES[code].choice or {}).get("zh", code) for code in INTENTS} | {"greeting": "问候", "other": "其他"}
USAGE = (
    "标注：/label 编号 意图（编号见 /nlu-review），或接待顾客时 /label 意图 标注顾客刚说的话。意图可写："
    + "、".join(NAMES.values())
    + "（或英文代码，如 logistics）"
)
NOTHING_SAID = "您接待的顾客还没有说过话可标注。请用 /label 编号 意图（编号见 /nlu-review）。"


class NluReview:
    def __init__(self, store: OrderStore, clock: Clock) -> None:
        self.store, self.clock = store, clock

    async def handle(self, member: StaffMember, text: str) -> Reply | None:
        match = COMMAND.match(text.strip())
        if match is None:
            return None
        if match.group(1).lower() == "nlu-review":
            return await self._review()
        return await self._label(member, (match.group(2) or "").split())

    async def _review(self) -> Reply:
        found = await self.store.nlu_candidates(LISTED)
        if not found:
            return Reply("没有待标注的消息 ✅")
        lines = [f"待标注的消息（最新 {len(found)} 条）："]
        lines += [
            f"#{c.id} 「{c.text}」 读作 {NAMES.get(c.predicted, c.predicted)}（{c.confidence:.2f}）" for c in found
        ]
        return Reply("\n".join([*lines, USAGE]))

    async def _label(self, member: StaffMember, args: list[str]) -> Reply:
        if len(args) == 1 and (named := code_named(NAMES, args[0])) is not None:
            return await self._label_said(member, named)
        intent = code_named(NAMES, " ".join(args[1:]).strip()) if len(args) >= 2 else None
        if not args or not args[0].lstrip("#").isdigit() or intent is None:
            return Reply(USAGE)
        candidate = int(args[0].lstrip("#"))
        if not await self.store.label_nlu_candidate(candidate, intent, member.id, self.clock.now()):
            return Reply(f"没有编号为 #{candidate} 的消息，发送 /nlu-review 查看")
        return Reply(f"已标注 #{candidate} 为「{NAMES[intent]}」；xiaoer nlu train --shop 之后生效")

    async def _label_said(self, member: StaffMember, intent: str) -> Reply:
        """The last words of the customer the agent is serving, kept and labelled at once."""
        held = await self.store.agent_handoffs(member.id)
        said = held[0].summary.get("relayed", []) if held else []
        if not said:
            return Reply(NOTHING_SAID)
        text, now = str(said[-1]["text"]), self.clock.now()
        read = parse(text)
        kept = await self.store.keep_nlu_candidate(held[0].chat_key, text, read.intent, read.confidence, "staff", now)
        await self.store.label_nlu_candidate(kept, intent, member.id, now)
        shown = text if len(text) <= 30 else text[:30] + "…"
        return Reply(
            f"已标注 #{kept}「{shown}」为「{NAMES[intent]}」（小二读作 {NAMES.get(read.intent, read.intent)}）；"
            "xiaoer nlu train --shop 之后生效"
        )
