"""WeChat at start-up: the account's menu, whose buttons the callback turns into commands."""

from __future__ import annotations

import asyncio
import logging

from bot.channels.tencent.api import TencentApi
from bot.channels.wechat.translate import MENU
from notifications.push import PushFailed, RetryAfter

log = logging.getLogger(__name__)
RETRY_SECONDS = 30.0


async def set_menu(api: TencentApi) -> None:
    """Keep trying until WeChat takes the menu (it may be unreachable at start); nothing else waits on it."""
    menu = {"button": [{"type": "click", "name": label, "key": key} for label, key in MENU]}
    while True:
        try:
            await api.call("/cgi-bin/menu/create", menu)
            return
        except (PushFailed, RetryAfter) as error:
            log.warning("setting the WeChat menu failed, trying again in %.0f s: %s", RETRY_SECONDS, error)
            await asyncio.sleep(RETRY_SECONDS)
