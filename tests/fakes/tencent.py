"""What WeChat's and WeCom's fakes share: a loopback server with access tokens and media uploads, and a
poster that calls our callback and reads its answer."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from string import Template

import aiohttp
from aiohttp import web

from oms_client.clock import FixedClock
from tests.conftest import FIXTURES
from tests.fakes.loopback import Loopback


@dataclass
class Answer:
    status: int
    body: str


class Stamped:
    """A rig that posts signed callbacks: each needs a current timestamp and a nonce never used before."""

    clock: FixedClock
    nonces: int
    NONCE_BASE = 1_000_000

    @property
    def timestamp(self) -> int:
        return int(self.clock.now().timestamp())

    def nonce(self) -> str:
        self.nonces += 1
        return str(self.NONCE_BASE + self.nonces)


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def fill(folder: str, fixture: str, **values: str) -> str:
    """A callback body from `tests/fixtures/<folder>/<fixture>.xml`."""
    return Template((FIXTURES / folder / f"{fixture}.xml").read_text(encoding="utf-8")).substitute(values)


class FakeTencentServer(Loopback):
    """Subclasses add their API routes in `routes` and say which query proves the app's credentials."""

    token_path = "/cgi-bin/token"

    def __init__(self) -> None:
        self.tokens_issued = 0
        self.expire_token = False  # answer the next call with 42001, as when another process rotated the token
        self.uploads: dict[str, bytes] = {}
        self.media: dict[str, bytes] = {}  # what users sent the app, by media id, for media/get
        self.callback_url = ""

    def credentials_ok(self, request: web.Request) -> bool:
        raise NotImplementedError

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    def install(self, app: web.Application) -> None:
        app.router.add_get(self.token_path, self._token)
        app.router.add_post("/cgi-bin/media/upload", self._upload)
        app.router.add_get("/cgi-bin/media/get", self._media)
        self.routes(app)

    async def post_raw(self, body: bytes, params: dict[str, str]) -> Answer:
        async with aiohttp.ClientSession() as http, http.post(self.callback_url, data=body, params=params) as response:
            return Answer(response.status, await response.text())

    async def _token(self, request: web.Request) -> web.Response:
        if not self.credentials_ok(request):
            return web.json_response({"errcode": 40125, "errmsg": "invalid secret"})
        self.tokens_issued += 1
        return web.json_response({"access_token": f"token-{self.tokens_issued}", "expires_in": 7200})

    def token_error(self, request: web.Request) -> web.Response | None:
        if self.expire_token:
            self.expire_token = False
            return web.json_response({"errcode": 42001, "errmsg": "access_token expired"})
        if request.query.get("access_token") != f"token-{self.tokens_issued}":
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        return None

    async def _upload(self, request: web.Request) -> web.Response:
        if (error := self.token_error(request)) is not None:
            return error
        form = await request.post()
        media = form["media"]
        assert isinstance(media, web.FileField) and request.query.get("type") == "image"
        media_id = f"media-{len(self.uploads) + 1}"
        self.uploads[media_id] = media.file.read()
        return web.json_response({"type": "image", "media_id": media_id, "created_at": 1})

    async def _media(self, request: web.Request) -> web.Response:
        if (error := self.token_error(request)) is not None:
            return error
        data = self.media.get(request.query.get("media_id", ""))
        if data is None:
            return web.json_response({"errcode": 40007, "errmsg": "invalid media_id"})
        return web.Response(body=data, content_type="image/jpeg")
