"""Tencent's server APIs (WeCom, the WeChat Official Account): one token cache, one way to fail.

Both answer HTTP 200 with an `errcode` for most failures; 45009 means "too many calls" and is treated
like a 429. Calls need an access token: cached until shortly before it expires, fetched again once
when the platform says it is invalid or expired (another process may have rotated it).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import aiohttp

from bot.logs import redact
from notifications.push import PushFailed, RetryAfter, Undeliverable
from oms_client.clock import Clock
from oms_client.tokens import SharedTokens

WECHAT_API_BASE = "https://api.weixin.qq.com"
RATE_LIMITED = 45009
TOKEN_INVALID = {40001, 40014, 42001}
MEDIA_GONE = {40007}  # invalid media_id: expired (three days) or never sent to this app
TOKEN_MARGIN_SECONDS = 300
# A process re-reads the shared token this often even while its copy is valid: another process may have had
# to fetch a new one (the platform refused the old), and then this copy no longer works.
SHARED_TOKEN_REREAD = timedelta(minutes=5)
TOKEN_WAIT_SECONDS = 0.2
TOKEN_WAITS = 150  # 30 s: longer than any token call, after which the fetching process is taken for dead
RATE_LIMIT_WAIT_SECONDS = 60.0
T = TypeVar("T")


@dataclass(frozen=True)
class Upload:
    """A file for a multipart POST (media uploads)."""

    field: str
    data: bytes
    filename: str
    mime: str

    def form(self) -> aiohttp.FormData:
        form = aiohttp.FormData()
        form.add_field(self.field, self.data, filename=self.filename, content_type=self.mime)
        return form


async def call(
    session: aiohttp.ClientSession,
    url: str,
    payload: dict[str, Any] | None = None,
    upload: Upload | None = None,
    **params: str,
) -> dict[str, Any]:
    """POST JSON `payload` or an `upload` (GET with neither); every failure becomes PushFailed / RetryAfter."""
    method = "GET" if payload is None and upload is None else "POST"
    form = upload.form() if upload is not None else None
    _, body = await _answer(session, method, url, json=payload, data=form, params=params)
    return _json(body)


async def fetch_file(session: aiohttp.ClientSession, url: str, **params: str) -> tuple[bytes, dict[str, Any]]:
    """GET a file: (bytes, {}), or (b"", the JSON answer) when the platform answered with an error instead."""
    content_type, body = await _answer(session, "GET", url, params=params)
    if content_type in ("application/json", "text/plain"):
        return b"", _json(body)
    return body, {}


async def _answer(session: aiohttp.ClientSession, method: str, url: str, **options: Any) -> tuple[str, bytes]:
    """The answer's type and body; a refusal, a rate limit or a broken connection raised in the pushers' terms."""
    try:
        async with session.request(method, url, **options) as response:
            if response.status == 429:
                raise RetryAfter(float(response.headers.get("Retry-After", RATE_LIMIT_WAIT_SECONDS)))
            if response.status >= 400:
                raise PushFailed(f"HTTP {response.status}")
            return response.content_type, await response.read()
    except (aiohttp.ClientError, TimeoutError) as error:
        # Not chained: the error names the URL, and a token call's URL holds the secret.
        raise PushFailed(redact(f"{type(error).__name__}: {error}")) from None


def _json(body: bytes) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(body)
    except ValueError as error:
        raise PushFailed(f"{type(error).__name__}: {error}") from error
    return data


def check(data: dict[str, Any], refused: Collection[int] = ()) -> None:
    """Raise for an errcode: `refused` ones can never succeed for this recipient (Undeliverable)."""
    code = int(data.get("errcode", 0))
    if code == RATE_LIMITED:
        raise RetryAfter(RATE_LIMIT_WAIT_SECONDS)
    if code in refused:
        raise Undeliverable(f"errcode {code}: {data.get('errmsg', '')}")
    if code != 0:
        raise PushFailed(f"errcode {code}: {data.get('errmsg', '')}")


@dataclass(frozen=True)
class TokenSource:
    """Where an app's access token comes from: the platform's token call, shared through the store under
    `app` so that every process uses the one token the platform considers current."""

    app: str
    path: str
    params: dict[str, str]
    shared: SharedTokens
    clock: Clock


class TencentApi:
    """One app's server API: base URL, the token (shared by every process, cached here) and the single
    refresh on expiry."""

    def __init__(self, session: aiohttp.ClientSession, base: str, source: TokenSource) -> None:
        self.session, self.base, self.source = session, base.rstrip("/"), source
        self._token: tuple[str, datetime] | None = None
        self._lock = asyncio.Lock()

    async def call(
        self,
        path: str,
        payload: dict[str, Any] | None = None,
        upload: Upload | None = None,
        refused: Collection[int] = (),
        **params: str,
    ) -> dict[str, Any]:
        url = f"{self.base}{path}"

        async def attempt(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
            data = await call(self.session, url, payload, upload, access_token=token, **params)
            return data, data

        data, _ = await self._with_token(attempt)
        check(data, refused)
        return data

    async def download(self, path: str, **params: str) -> bytes:
        """A file the platform keeps (media/get): its bytes, or the JSON error raised as for every call."""
        url = f"{self.base}{path}"

        async def attempt(token: str) -> tuple[bytes, dict[str, Any]]:
            return await fetch_file(self.session, url, access_token=token, **params)

        body, error = await self._with_token(attempt)
        if error:
            check(error, MEDIA_GONE)
            raise PushFailed(f"no file and no error code in the answer: {error}"[:300])
        return body

    async def _with_token(
        self, attempt: Callable[[str], Awaitable[tuple[T, dict[str, Any]]]]
    ) -> tuple[T, dict[str, Any]]:
        """An attempt with the cached token, and once more with a fresh one when the platform says it expired
        (another process may have rotated it); the attempt's result and the platform's JSON answer."""
        result, answer = await attempt(await self.token())
        if int(answer.get("errcode", 0)) in TOKEN_INVALID:
            result, answer = await attempt(await self.token(refresh=True))
        return result, answer

    async def token(self, refresh: bool = False) -> str:
        """The current token: this process's copy while it lasts, else the store's; `refresh` when the platform
        refused the copy, and then only one process fetches a new one."""
        async with self._lock:
            now = self.source.clock.now()
            if refresh or self._token is None or self._token[1] <= now:
                stale = self._token[0] if refresh and self._token else None
                self._token = await self._shared_token(stale)
            return self._token[0]

    async def _shared_token(self, stale: str | None) -> tuple[str, datetime]:
        source = self.source
        for _ in range(TOKEN_WAITS):
            turn = await source.shared.turn(source.app, stale, source.clock.now())
            if turn.token is not None:
                reread = source.clock.now() + SHARED_TOKEN_REREAD
                return turn.token, min(reread, turn.expires_at) if turn.expires_at else reread
            if turn.fetch:
                try:
                    token, expires_at = await self._fetch_token()
                except PushFailed:
                    await source.shared.release(source.app)
                    raise
                await source.shared.keep(source.app, token, expires_at)
                return token, expires_at
            await asyncio.sleep(TOKEN_WAIT_SECONDS)  # another process is fetching it
        raise PushFailed("the access token is being fetched by another process that does not finish")

    async def _fetch_token(self) -> tuple[str, datetime]:
        data = await call(self.session, f"{self.base}{self.source.path}", None, None, **self.source.params)
        check(data)
        lifetime = float(data.get("expires_in", 7200)) - TOKEN_MARGIN_SECONDS
        return str(data["access_token"]), self.source.clock.now() + timedelta(seconds=max(lifetime, 60.0))


async def upload_image(api: TencentApi, data: bytes, mime: str) -> str:
    """A temporary media id for an image (WeChat and WeCom alike); messages refer to images by it."""
    upload = Upload("media", data, "image." + mime.rsplit("/", 1)[-1], mime)
    answer = await api.call("/cgi-bin/media/upload", upload=upload, type="image")
    return str(answer["media_id"])


async def media_file(api: TencentApi, media_id: str) -> bytes:
    """A picture a user sent the app, by its temporary media id (WeChat and WeCom alike)."""
    return await api.download("/cgi-bin/media/get", media_id=media_id)


async def text_or_image(api: TencentApi, body: dict[str, Any]) -> dict[str, Any]:
    """A queued text or image body as the message fields every Tencent send API spells the same way."""
    if "image" in body:
        media_id = await upload_image(api, base64.b64decode(body["image"]), body.get("mime", "image/png"))
        return {"msgtype": "image", "image": {"media_id": media_id}}
    return {"msgtype": "text", "text": {"content": body["text"]}}


def wecom_api(
    session: aiohttp.ClientSession, corp_id: str, secret: str, base: str, shared: SharedTokens, clock: Clock
) -> TencentApi:
    """A WeCom app's API; its token is per corp and secret (each app of a corp has its own)."""
    app = f"wecom:{corp_id}:{hashlib.sha256(secret.encode()).hexdigest()[:12]}"
    params = {"corpid": corp_id, "corpsecret": secret}
    return TencentApi(session, base, TokenSource(app, "/cgi-bin/gettoken", params, shared, clock))


def official_account_api(
    session: aiohttp.ClientSession, app_id: str, secret: str, base: str, shared: SharedTokens, clock: Clock
) -> TencentApi:
    params = {"grant_type": "client_credential", "appid": app_id, "secret": secret}
    return TencentApi(session, base, TokenSource(f"wechat:{app_id}", "/cgi-bin/token", params, shared, clock))
