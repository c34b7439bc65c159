"""WeCom pushes as markdown: the group robot's webhook, and the body of an app message to staff."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import aiohttp

from bot.channels.tencent.api import call, check
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
        """The markdown, then its picture as the robot's image message: base64 of the PNG and the MD5 of its bytes
        (群机器人配置说明, developer.work.weixin.qq.com/document/path/99398; as vimsucks/wxwork-bot-go's image.go
        sends it; at most 2 MB)."""
        payload: dict[str, Any] = {"msgtype": "markdown", "markdown": {"content": as_markdown(message)}}
        check(await call(self.session, self.url, payload, key=self.key))
        if message.image is not None:
            picture = {
                "base64": base64.b64encode(message.image).decode(),
                "md5": hashlib.md5(message.image).hexdigest(),
            }
            check(await call(self.session, self.url, {"msgtype": "image", "image": picture}, key=self.key))


def wecom_app_bodies(message: PushMessage) -> list[dict[str, Any]]:
    """The markdown, then the picture as an app image message (uploaded as media by the channel's send path)."""
    picture = [{"image": base64.b64encode(message.image).decode(), "mime": "image/png"}] if message.image else []
    return [{"markdown": as_markdown(message)}, *picture]
