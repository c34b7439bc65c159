"""The WeChat Official Account joins the app: replies need its app id and secret, deliveries its token."""

from __future__ import annotations

import functools
from collections.abc import Mapping

from wechatpy.crypto import WeChatCrypto

from bot.channels.intake import Intake
from bot.channels.mount import Inbound, Parts
from bot.channels.port import ChatChannel
from bot.channels.tencent.api import official_account_api
from bot.channels.wechat.channel import WeChatChannel
from bot.channels.wechat.inbound import WeChatCallback
from bot.channels.wechat.setup import set_menu

NAME = "wechat"


def channels(parts: Parts) -> dict[str, ChatChannel]:
    settings, shared = parts.settings, parts.clients.shared
    if not (settings.wechat_appid and settings.wechat_secret):
        return {}
    api = official_account_api(
        parts.clients.session,
        settings.wechat_appid,
        settings.wechat_secret,
        settings.wechat_api_base,
        shared.tokens,
        parts.clock,
    )
    return {"wechat": WeChatChannel(api, parts.inbox, parts.outgoing, parts.clock)}


def inbound(parts: Parts, intake: Intake, channels: Mapping[str, ChatChannel]) -> Inbound:
    settings, channel = parts.settings, channels.get("wechat")
    serving = (functools.partial(set_menu, channel.api),) if isinstance(channel, WeChatChannel) else ()
    if not (settings.wechat_token and settings.wechat_appid):
        return Inbound(serving=serving)
    crypto = None
    if settings.wechat_aes_key:
        crypto = WeChatCrypto(settings.wechat_token, settings.wechat_aes_key, settings.wechat_appid)
    callback = WeChatCallback(settings.wechat_token, crypto, intake, parts.outgoing, parts.clock)
    return Inbound(callback, serving=serving)
