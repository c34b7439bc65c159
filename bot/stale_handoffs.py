"""Hand-offs nobody claimed: after `[service] give_up_minutes` past the time a person was expected, the chat
leaves the queue and the customer is told, instead of hearing "已经在为您排队" for days (a console user found
themselves still queued on the next start). The agents were alerted meanwhile (`handoff_waiting`)."""

from __future__ import annotations

from datetime import timedelta

from bot.customer_notices import Outreach
from handlers.handoff.service_hours import ServiceHours
from handlers.messages import Address, Reply
from handlers.texts import say
from oms_client.domain import Handoff
from oms_client.store import OrderStore

EVERY = timedelta(minutes=1)


class StaleHandoffs:
    def __init__(self, store: OrderStore, reach: Outreach, hours: ServiceHours) -> None:
        self.store, self.reach, self.hours = store, reach, hours

    async def tick(self) -> int:
        """End the hand-offs waited on too long, telling each customer; how many chats were written to."""
        now = self.reach.clock.now()
        ended = []
        for handoff in await self.store.unclaimed_since(now - timedelta(minutes=self.hours.give_up_minutes)):
            chat = Address.of(handoff.chat_key)
            told = [self._told(handoff, now - handoff.created_at, chat)]
            reachable = await self.reach.may_write(chat.channel, chat.chat_id)
            if await self.store.give_up(handoff.id, self.reach.messages(told) if reachable else [], now):
                ended.append(handoff.chat_key)
        return self.reach.queued(ended)

    def _told(self, handoff: Handoff, waited: timedelta, chat: Address) -> Reply:
        text = say(
            "ho_gave_up", handoff.lang, waited=_duration(waited, handoff.lang), hours=self.hours.describe(handoff.lang)
        )
        return Reply(text, to=chat)


def _duration(waited: timedelta, lang: str) -> str:
    minutes = int(waited.total_seconds() // 60)
    if minutes < 90:
        return f"{minutes} 分钟" if lang == "zh" else f"{minutes} minutes"
    hours = round(minutes / 60)
    return f"{hours} 小时" if lang == "zh" else f"{hours} hours"
