"""WeCom pushes: the group robot webhook and app messages (`message/send`), as markdown.

WeCom answers HTTP 200 with an `errcode` for most failures; 45009 means "too many calls" and is treated
like a 429. App calls need an access token: cached until shortly before it expires, fetched again once
when WeCom says it is invalid or expired (another process may have rotated it).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp

from notifications.compose import PushMessage
from notifications.push import PushFailed, RetryAfter

WECOM_API_BASE = "https://qyapi.weixin.qq.com"
MARKDOWN_LIMIT_BYTES = 4096
RATE_LIMITED = 45009
TOKEN_INVALID = {40014, 42001}
TOKEN_MARGIN_SECONDS = 300
RATE_LIMIT_WAIT_SECONDS = 60.0
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


async def _call(
    session: aiohttp.ClientSession, url: str, payload: dict[str, Any] | None = None, **params: str
) -> dict[str, Any]:
    """POST `payload` (or GET without one) and map every way it can fail onto PushFailed / RetryAfter."""
    try:
        async with session.request("GET" if payload is None else "POST", url, json=payload, params=params) as response:
            if response.status == 429:
                raise RetryAfter(float(response.headers.get("Retry-After", RATE_LIMIT_WAIT_SECONDS)))
            if response.status >= 400:
                raise PushFailed(f"HTTP {response.status}")
            data: dict[str, Any] = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        raise PushFailed(f"{type(error).__name__}: {error}") from error
    return data


def _check(data: dict[str, Any]) -> None:
    code = int(data.get("errcode", 0))
    if code == RATE_LIMITED:
        raise RetryAfter(RATE_LIMIT_WAIT_SECONDS)
    if code != 0:
        raise PushFailed(f"errcode {code}: {data.get('errmsg', '')}")


class WeComRobotPusher:
    def __init__(self, session: aiohttp.ClientSession, key: str, base: str = WECOM_API_BASE) -> None:
        self.session, self.key, self.url = session, key, f"{base.rstrip('/')}/cgi-bin/webhook/send"

    async def push(self, message: PushMessage) -> None:
        payload = {"msgtype": "markdown", "markdown": {"content": as_markdown(message)}}
        _check(await _call(self.session, self.url, payload, key=self.key))


class WeComApi:
    """The WeCom server API for one app: base URL, token cache and the single refresh on expiry."""

    def __init__(self, session: aiohttp.ClientSession, corp_id: str, secret: str, base: str = WECOM_API_BASE) -> None:
        self.session, self.corp_id, self.secret = session, corp_id, secret
        self.base = base.rstrip("/")
        self._token: tuple[str, float] | None = None
        self._lock = asyncio.Lock()

    async def call(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        data = await _call(self.session, f"{self.base}{path}", payload, access_token=await self.token())
        if int(data.get("errcode", 0)) in TOKEN_INVALID:
            data = await _call(self.session, f"{self.base}{path}", payload, access_token=await self.token(refresh=True))
        _check(data)
        return data

    async def token(self, refresh: bool = False) -> str:
        async with self._lock:
            if refresh or self._token is None or self._token[1] <= time.monotonic():
                self._token = await self._fetch_token()
            return self._token[0]

    async def _fetch_token(self) -> tuple[str, float]:
        data = await _call(self.session, f"{self.base}/cgi-bin/gettoken", corpid=self.corp_id, corpsecret=self.secret)
        _check(data)
        lifetime = float(data.get("expires_in", 7200)) - TOKEN_MARGIN_SECONDS
        return str(data["access_token"]), time.monotonic() + max(lifetime, 60.0)


class WeComAppPusher:
    def __init__(self, api: WeComApi, agent_id: int, to_user: str) -> None:
        self.api, self.agent_id, self.to_user = api, agent_id, to_user

    async def push(self, message: PushMessage) -> None:
        payload = {
            "touser": self.to_user,
            "msgtype": "markdown",
            "agentid": self.agent_id,
            "markdown": {"content": as_markdown(message)},
        }
        await self.api.call("/cgi-bin/message/send", payload)
