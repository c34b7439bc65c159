"""WeCom pushes: the group robot webhook and app messages (`message/send`), as markdown."""

from __future__ import annotations

import aiohttp

from bot.channels.tencent_api import TencentApi, call, check
from notifications.compose import PushMessage

WECOM_API_BASE = "https://qyapi.weixin.qq.com"
MARKDOWN_LIMIT_BYTES = 4096
COLOURS = {"critical": "warning", "warning": "warning", "info": "info"}


def as_markdown(message: PushMessage) -> str:
    """WeCom's markdown subset; buttons become commands to reply with, since robots have no buttons."""
    colour = COLOURS.get(message.severity, "comment")
    lines = [f'**<font color="{colour}">{message.title}</font>**']
    lines += [f"> {line}" for line in message.lines]
    if message.buttons:
        commands = "  ".join(f"{b.label}：`{b.payload}`" for b in message.buttons)
        lines.append(f'<font color="comment">回复命令处理 · {commands}</font>')
    return _fit("\n".join(lines), MARKDOWN_LIMIT_BYTES)


def _fit(text: str, limit: int) -> str:
    """Cut at a line boundary so the message stays within WeCom's byte limit."""
    if len(text.encode()) <= limit:
        return text
    marker = "\n> …（内容过长，已截断）"
    kept: list[str] = []
    size = len(marker.encode())
    for line in text.split("\n"):
        size += len(line.encode()) + 1
        if size > limit:
            break
        kept.append(line)
    return "\n".join(kept) + marker


class WeComRobotPusher:
    def __init__(self, session: aiohttp.ClientSession, key: str, base: str = WECOM_API_BASE) -> None:
        self.session, self.key, self.url = session, key, f"{base.rstrip('/')}/cgi-bin/webhook/send"

    async def push(self, message: PushMessage) -> None:
        payload = {"msgtype": "markdown", "markdown": {"content": as_markdown(message)}}
        check(await call(self.session, self.url, payload, key=self.key))


class WeComAppPusher:
    def __init__(self, api: TencentApi, agent_id: int, to_user: str) -> None:
        self.api, self.agent_id, self.to_user = api, agent_id, to_user

    async def push(self, message: PushMessage) -> None:
        payload = {
            "touser": self.to_user,
            "msgtype": "markdown",
            "agentid": self.agent_id,
            "markdown": {"content": as_markdown(message)},
        }
        await self.api.call("/cgi-bin/message/send", payload)
