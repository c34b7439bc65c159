"""Handing a customer's chat to a person, from the customer's side.

转人工, a complaint or two misunderstood turns in a row queue the chat for a person and push every agent a
summary with a claim button. While the chat waits the bot keeps serving (and keeps what the customer says
for the agent); while an agent holds it the bot stays silent and only relays, until the agent hands it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.aftersales.draft import is_leaving
from handlers.handoff.service_hours import ServiceHours
from handlers.messages import Address, Button, IncomingMessage, Reply, picture_refs
from handlers.staff.roster import Roster
from handlers.state import ConversationState
from handlers.texts import PLATFORM_NAMES, name_of, say
from oms_client.budgets import Budgets
from oms_client.domain import Handoff, HandoffState
from oms_client.proofs import covered
from oms_client.store import ChatUser, OrderStore

REASON_LABELS = {"human_agent": "要求人工", "complaint": "投诉", "misunderstood": "连续没听懂"}
WHO = {"customer": "顾客", "bot": "小二"}
QUOTED = 200  # characters of one message shown to an agent in a summary


@dataclass(frozen=True)
class HandoffLimits:
    """How often one chat, and one client address, may queue for a person in an hour: every hand-off pushes
    every agent, and a new web visitor costs nothing to make."""

    per_user_per_hour: int = 3
    per_client_per_hour: int = 5


class Handoffs:
    def __init__(
        self,
        store: OrderStore,
        roster: Roster,
        hours: ServiceHours,
        zone: ZoneInfo,
        budgets: Budgets | None = None,
        limits: HandoffLimits = HandoffLimits(),
    ) -> None:
        """Without `budgets` (a test's or the console's desk) hand-offs are not counted."""
        self.store, self.roster, self.hours, self.zone = store, roster, hours, zone
        self.budgets, self.limits = budgets, limits

    async def escalate(
        self,
        user: ChatUser,
        chat: Address,
        state: ConversationState,
        reason: str,
        now: datetime,
        client: str | None = None,
    ) -> list[Reply]:
        """Queue the chat for a person (once) and tell the customer when to expect one.

        A chat whose first words ask for a person (a complaint says what it is about) is asked what it is
        about first (`state` then awaits "person"): an agent gets something to work with, and a flood of fresh
        chats saying only 转人工 pushes nobody. Queuing again and again, per chat or per address, is capped."""
        if await self.store.chat_handoff(chat.key) is None:
            if reason == "human_agent" and _first_words(state):
                state.ask("person", reason)
                return [Reply(say("ho_tell_first", state.lang))]
            if not await self._within_budget(user, client, now):
                return [Reply(say("ho_too_often", state.lang))]
        summary = {"recent": state.recent, **await self._order(user, state.order_no)}
        open_now = self.hours.is_open(now, self.zone)
        expected = now if open_now else self.hours.next_open(now, self.zone)
        handoff, opened = await self.store.open_handoff(chat.key, state.lang, reason, summary, now, expected)
        if handoff.state is HandoffState.ACTIVE:
            return [Reply(say("ho_with_agent", state.lang))]
        place = queue_place(await self.store.queue_position(handoff.id), state.lang)
        if not opened:
            return [Reply(say("ho_still_waiting", state.lang, place=place))]
        state.misses = 0
        return [self._queued(reason, state.lang, place, expected, open_now), *self._alert(handoff, open_now)]

    async def intercept(self, message: IncomingMessage, now: datetime) -> list[Reply] | None:
        """Replies when a person has (or is about to have) the chat; None lets the bot answer as usual."""
        chat = Address(message.channel, message.chat_id)
        handoff = await self.store.chat_handoff(chat.key)
        if handoff is None:
            return None
        photos = picture_refs(message.attachments)
        if handoff.state is HandoffState.ACTIVE and handoff.agent_chat:  # the bot stays silent, and relays
            if message.text.strip():  # what the agent's `/label 意图` would teach the bot
                await self.store.keep_for_agent(handoff.id, {"text": message.text[:QUOTED]}, "relayed")
            return [Reply(_quoted(handoff, message), to=Address.of(handoff.agent_chat), pictures=photos)]
        if is_leaving(message.text):
            await self.store.end_handoff(handoff.id, chat.key, now)
            return [Reply(say("ho_withdrawn", handoff.lang))]
        line = {"at": now.isoformat(), "text": message.text[:QUOTED], "photos": len(message.attachments)}
        if photos:
            line["pictures"] = list(photos)
        await self.store.keep_for_agent(handoff.id, line)
        return None

    async def _within_budget(self, user: ChatUser, client: str | None, now: datetime) -> bool:
        if self.budgets is None:
            return True
        hour = timedelta(hours=1)
        if not await self.budgets.take(f"handoff:user:{user.key}", self.limits.per_user_per_hour, hour, now):
            return False
        return client is None or await self.budgets.take(
            f"handoff:client:{client}", self.limits.per_client_per_hour, hour, now
        )

    def _queued(self, reason: str, lang: str, place: str, expected: datetime, open_now: bool) -> Reply:
        why = say(f"ho_why_{reason}", lang) if reason in ("complaint", "misunderstood") else ""
        if open_now:
            return Reply(say("ho_queued", lang, why=why, place=place))
        day = f"{expected.astimezone(self.zone):%m-%d %H:%M}"
        return Reply(say("ho_closed", lang, why=why, hours=self.hours.describe(lang), when=day))

    def _alert(self, handoff: Handoff, open_now: bool) -> list[Reply]:
        """The summary every agent is pushed, with the button that claims the chat."""
        text = "\n".join(summary_lines(handoff, self.zone))
        if not open_now:
            text += "\n（非服务时间提交，已告知顾客上班后回复）"
        claim = (Button(f"接入 #{handoff.id}", f"/claim {handoff.id}"),)
        return [Reply(text, claim, to=address) for address in self.roster.agent_addresses()]

    async def _order(self, user: ChatUser, order_no: str | None) -> dict[str, str]:
        """The order talked about, with its platform only when this chat has proved it owns it."""
        if not order_no:
            return {}
        proofs = await self.store.proofs(user)
        owned = [o for o in await self.store.find_orders(order_no) if covered(proofs, o)]
        return {"order_no": order_no, **({"platform": owned[0].platform} if owned else {})}


def _first_words(state: ConversationState) -> bool:
    """Whether the message being answered is all the chat has said (it is remembered before the answer)."""
    return sum(1 for who, _ in state.recent if who == "customer") <= 1


def queue_place(position: int, lang: str) -> str:
    """ "您是下一位" / "您前面还有 2 位": where a waiting customer stands (`position` 1 is next)."""
    return say("ho_next", lang) if position <= 1 else say("ho_ahead", lang, ahead=position - 1)


def summary_lines(handoff: Handoff, zone: ZoneInfo) -> list[str]:
    """Who is waiting, why, about which order, and the last turns: what an agent reads before claiming."""
    summary = handoff.summary
    channel = handoff.chat_key.partition(":")[0]
    lines = [f"🔔 转人工 #{handoff.id} · {REASON_LABELS.get(handoff.reason, handoff.reason)} · 来自 {channel}"
             f" · {handoff.created_at.astimezone(zone):%m-%d %H:%M}"]  # fmt: skip
    if summary.get("order_no"):
        proved = "已验证" if summary.get("platform") else "未验证"
        platform = f"{name_of(PLATFORM_NAMES, summary['platform'], 'zh')} " if summary.get("platform") else ""
        lines.append(f"订单：{platform}{summary['order_no']}（{proved}）")
    if summary.get("recent"):
        lines.append("最近对话：")
        lines += [f"  {WHO.get(who, who)}：{text}" for who, text in summary["recent"]]
    for line in summary.get("waiting", []):
        photos = f" [图片 {line['photos']} 张]" if line.get("photos") else ""
        lines.append(f"  顾客（排队时）：{line['text']}{photos}")
    return lines


def waiting_pictures(handoff: Handoff) -> tuple[str, ...]:
    """The pictures a customer sent while waiting, for the agent who claims the chat."""
    return tuple(ref for line in handoff.summary.get("waiting", []) for ref in line.get("pictures", []))


def _quoted(handoff: Handoff, message: IncomingMessage) -> str:
    count = len(picture_refs(message.attachments))
    photos = f"{' ' if message.text else ''}[图片 {count} 张]" if count else ""
    return f"#{handoff.id} 顾客：{message.text[:1000]}{photos}"
