"""From stored delivery to queued reply: one chat's deliveries in order, each once, none lost.

A platform's endpoint records a delivery and returns; `wake` then drains that chat's deliveries in the
background. Anything left unhandled (a crash, a failure, a delivery another process took in) is found by
the periodic sweep, which is also what a restarted process does first.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from bot.channels.addressed import elsewhere, own_replies
from bot.channels.pictures import Pictures
from bot.channels.port import AnswersEvents, ChatChannel, Renderer
from bot.channels.reply_window import ReplyWindow, waiting_notes
from handlers.context import conversation_id, conversation_id_for
from handlers.messages import Reply, Responder
from oms_client.chats.inbox import InboxItem, InboxStore
from oms_client.clock import Clock

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


class Intake:
    def __init__(
        self,
        inbox: InboxStore,
        channels: Mapping[str, ChatChannel],
        responder: Responder,
        clock: Clock,
        pictures: Pictures,
        on_queued: Callable[[str], None] = lambda chat_key: None,
        renderers: Mapping[str, Renderer] | None = None,
        windows: Mapping[str, ReplyWindow] | None = None,
        on_turn: Callable[[str, float, bool], None] = lambda channel, seconds, ok: None,
    ) -> None:
        """`renderers` write to chats other than the delivery's (relays); by default the channels themselves.
        `windows`: the channels that take messages only soon after the customer wrote: a customer's message
        there makes what waited for it due, and whoever writes to a closed one is told it waits."""
        self.inbox, self.channels, self.responder, self.clock = inbox, channels, responder, clock
        self.pictures, self.windows = pictures, windows or {}
        self.renderers = renderers if renderers is not None else channels
        self.on_queued, self.on_turn = on_queued, on_turn
        self._draining: dict[str, asyncio.Task[None]] = {}
        self._again: set[str] = set()
        # A delivery claimed as it was recorded, for the chat's drain to start with (none is running, or the
        # one running holds nothing: only the chat's oldest unhandled delivery can be claimed).
        self._claimed: dict[str, InboxItem] = {}
        self._watched: dict[int, asyncio.Future[None]] = {}

    async def accept(
        self,
        channel: str,
        key: str,
        chat_id: str,
        payload: dict[str, Any],
        replay_key: str | None = None,
        watch: bool = False,
    ) -> int | None:
        """Record a delivery and start answering it; the caller may acknowledge after this.

        Returns the new delivery's id (None for a redelivery). With `watch`, `answered` can then wait for
        its replies to be queued.
        """
        chat_key = f"{channel}:{chat_id}"
        now, wakes = self.clock.now(), channel in self.windows
        new_id, claimed = await self.inbox.record(channel, key, chat_key, payload, now, replay_key, wakes, claim=True)
        if new_id is not None:
            if watch:
                self._watched[new_id] = asyncio.get_running_loop().create_future()
            if claimed is not None:
                self._claimed[chat_key] = claimed
            self.wake(chat_key)
        return new_id

    async def answered(self, item_id: int, timeout: float) -> bool:
        """Wait until a watched delivery's replies are queued; False when that takes longer than `timeout`."""
        future = self._watched.get(item_id)
        if future is None:
            return False
        try:
            await asyncio.wait_for(asyncio.shield(future), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            self._watched.pop(item_id, None)

    def wake(self, chat_key: str) -> None:
        if chat_key in self._draining:
            self._again.add(chat_key)  # the running drain looks once more before it ends
            return
        self._draining[chat_key] = asyncio.create_task(self._drain(chat_key))

    async def sweep(self) -> None:
        for chat_key in await self.inbox.waiting_chats(self.clock.now()):
            self.wake(chat_key)

    async def idle(self) -> None:
        """Wait until every drain started so far has finished (tests, shutdown)."""
        while self._draining:
            await asyncio.gather(*self._draining.values(), return_exceptions=True)

    async def _drain(self, chat_key: str) -> None:
        try:
            item = await self._next(chat_key)
            while item is not None or chat_key in self._again:
                if item is None:  # more arrived while the last one was handled: look once more
                    self._again.discard(chat_key)
                    item = await self._next(chat_key)
                    continue
                handled, item = await self._handle(item)
                if not handled:
                    return  # failed: the sweep retries later instead of spinning here
        except Exception:
            log.exception("draining %s failed", chat_key)
        finally:
            self._draining.pop(chat_key, None)
            self._again.discard(chat_key)
            # Only after a failure can one be left; its claim lapses and the sweep takes it, rather than a
            # later drain of ours handling it after another process may have claimed it.
            self._claimed.pop(chat_key, None)

    async def _next(self, chat_key: str) -> InboxItem | None:
        claimed = self._claimed.pop(chat_key, None)
        return claimed if claimed is not None else await self.inbox.claim_next(chat_key, self.clock.now())

    async def _handle(self, item: InboxItem) -> tuple[bool, InboxItem | None]:
        """Whether the delivery is done with (answered or given up), and the chat's next one, claimed."""
        channel = self.channels.get(item.channel)
        chat_id = item.chat_key.split(":", 1)[1]
        token = conversation_id.set(conversation_id_for(item.chat_key))
        started = time.perf_counter()
        try:
            if channel is None:
                raise LookupError(f"channel {item.channel} is not enabled in this process")
            replies, bodies = await self._answer(channel, item.payload)
            others = elsewhere(replies, self.renderers)
            hold = item.received_at + channel.reply_hold
            following = await self.inbox.finish(
                item, chat_id, bodies, channel.pace(chat_id), self.clock.now(), hold, others
            )
        except Exception as error:
            self.on_turn(item.channel, time.perf_counter() - started, False)
            if not await self._failed(item, f"{type(error).__name__}: {error}"):
                return False, None
            return True, await self.inbox.claim_next(item.chat_key, self.clock.now())
        finally:
            conversation_id.reset(token)
        self.on_turn(item.channel, time.perf_counter() - started, True)
        watcher = self._watched.get(item.id)
        if watcher is not None and not watcher.done():
            watcher.set_result(None)
        for chat_key in ([item.chat_key] if bodies else []) + [f"{o.channel}:{o.chat_id}" for o in others]:
            self.on_queued(chat_key)
        return True, following

    async def _answer(self, channel: ChatChannel, payload: dict[str, Any]) -> tuple[list[Reply], list[dict[str, Any]]]:
        """The turn's replies (pictures kept on the way in, shown on the way out) and the writer's own bodies."""
        message = await channel.translate(payload)
        if message is None:
            return [], []
        message = await self.pictures.keep(channel, message)
        replies = await self.pictures.show(await self.responder.handle(message))
        replies += await waiting_notes(replies, self.windows)
        bodies = channel.render(own_replies(replies))
        if isinstance(channel, AnswersEvents):
            bodies = channel.answer(message, bodies)
        return replies, bodies

    async def _failed(self, item: InboxItem, error: str) -> bool:
        log.exception("delivery %d (attempt %d) failed", item.id, item.attempts)
        if item.attempts >= MAX_ATTEMPTS:
            log.error("delivery %d given up after %d attempts; kept in the inbox", item.id, item.attempts)
            await self.inbox.give_up(item, error, self.clock.now())
            return True
        await self.inbox.release(item, error)
        return False
