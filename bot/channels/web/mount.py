"""The web chat joins the app when the settings turn it on: visitors post and fetch over this process's HTTP."""

from __future__ import annotations

from collections.abc import Mapping

from bot.channels.intake import Intake
from bot.channels.mount import Inbound, Parts
from bot.channels.port import ChatChannel
from bot.channels.web.channel import WebChatChannel
from bot.channels.web.inbound import WebChat
from oms_client.chats.chat_log import ChatLog
from oms_client.chats.media import MediaStore

NAME = "web"


def channels(parts: Parts) -> dict[str, ChatChannel]:
    return {"web": WebChatChannel()} if parts.settings.web_chat else {}


def inbound(parts: Parts, intake: Intake, channels: Mapping[str, ChatChannel]) -> Inbound:
    if not parts.settings.web_chat:
        return Inbound()
    database, shared = parts.database, parts.clients.shared
    web_chat = WebChat(
        intake,
        ChatLog(database),
        MediaStore(database),
        parts.doorbell,
        parts.clock,
        shared.budgets,
        parts.settings.trusted_proxy_header,
    )
    return Inbound(web_chat)
