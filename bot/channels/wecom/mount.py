"""WeCom joins the app as two channels on one app's credentials: the app's own chat with staff and customers
inside the corp, and 微信客服 (customers on WeChat), whose messages are pulled after an event says so."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from wechatpy.work.crypto import WeChatCrypto as WeComCrypto

from bot.channels.intake import Intake
from bot.channels.mount import Inbound, Parts
from bot.channels.port import ChatChannel
from bot.channels.wecom.channel import WeComAppChannel, WeComKfChannel
from bot.channels.wecom.inbound import KfFeed, WeComCallback
from notifications.scheduler import Periodic
from oms_client.chats.cursors import CursorStore

# 微信客服 pulls without an event's token are strictly rate limited: a slow safety net, not the main path.
KF_PULL_EVERY = timedelta(minutes=5)


NAME = "wecom"


def channels(parts: Parts) -> dict[str, ChatChannel]:
    api, agent_id = parts.clients.wecom, parts.settings.wecom_agent_id
    if api is None or agent_id is None:
        return {}
    return {
        "wecom": WeComAppChannel(api, agent_id),
        "wecom_kf": WeComKfChannel(api, parts.inbox, parts.outgoing, parts.clock),
    }


def inbound(parts: Parts, intake: Intake, channels: Mapping[str, ChatChannel]) -> Inbound:
    settings, api = parts.settings, parts.clients.wecom
    if not (settings.wecom_token and settings.wecom_aes_key and settings.wecom_corp_id and api):
        return Inbound()
    crypto = WeComCrypto(settings.wecom_token, settings.wecom_aes_key, settings.wecom_corp_id)
    kf = KfFeed(api, intake, CursorStore(parts.database), parts.clock)
    callback = WeComCallback(settings.wecom_token, crypto, intake, parts.clock, kf)
    return Inbound(callback, periodic=(Periodic("微信客服 pull", KF_PULL_EVERY, kf.pull_known, leased=True),))
