"""Replies meant for another chat than the writer's (a customer's words for their agent, an agent's for the
customer, a new hand-off for every agent): rendered by that chat's own channel, queued with the turn."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from bot.channels.port import Renderer
from handlers.messages import Address, Reply
from oms_client.chats.outgoing import ChatMessage

log = logging.getLogger(__name__)


def own_replies(replies: Sequence[Reply]) -> list[Reply]:
    return [reply for reply in replies if reply.to is None]


def elsewhere(replies: Sequence[Reply], renderers: Mapping[str, Renderer]) -> list[ChatMessage]:
    """The other chats' messages, one per chat in the order they were made.

    A chat on a channel this deployment has not enabled (an agent listed with a Telegram id while Telegram
    is off) cannot be written to: logged and left out, the hand-off itself stays queued for `/chats`.
    """
    grouped: dict[Address, list[Reply]] = {}
    for reply in replies:
        if reply.to is not None:
            grouped.setdefault(reply.to, []).append(reply)
    messages = []
    for address, group in grouped.items():
        renderer = renderers.get(address.channel)
        if renderer is None:
            log.error("cannot write to a %r chat: that channel is not enabled", address.channel)
            continue
        messages.append(
            ChatMessage(address.channel, address.chat_id, renderer.render(group), renderer.pace(address.chat_id))
        )
    return messages
