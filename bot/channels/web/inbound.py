"""The web chat's HTTP side: the page, and the small JSON API its script talks to.

A message is stored in the inbox before the page hears it was received, like every channel's delivery;
the page's own message id makes a resend after a dropped connection a no-op. Replies are fetched by a
long poll that a queued reply (or, from another process, the next look at the store) ends early.
Errors are codes the page turns into polite words in the visitor's language.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.channels.intake import Intake
from bot.channels.picture_bytes import redrawn
from bot.channels.web.channel import CHANNEL
from bot.channels.web.doorbell import Doorbell
from bot.channels.web.visitor import client_of, give_token, visitor_of
from oms_client.budgets import Budgets
from oms_client.chats.chat_log import ChatLog, Line
from oms_client.chats.media import ID_LENGTH, MediaStore, picture_type
from oms_client.clock import Clock

PATH = "/chat"
STATIC = Path(__file__).parent / "static"
ASSETS = {"chat.js": "text/javascript", "chat.css": "text/css"}
# Cross-site forms cannot set a header, so requiring one keeps other sites from posting as the visitor.
REQUEST_HEADER = "X-Xiaoer-Chat"
WAIT_SECONDS = 20.0
LOOK_EVERY_SECONDS = 1.0
TEXT_LIMIT = 1000
LABEL_LIMIT = 64
IMAGE_LIMIT = 5 * 1024 * 1024
MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MEDIA_ID = re.compile(rf"^[0-9a-f]{{{ID_LENGTH}}}$")
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class Refused(web.HTTPException):
    """An answer the page shows as an error; `code` names it, the page words it."""

    def __init__(self, status: int, code: str) -> None:
        self.status_code = status
        super().__init__(text=json.dumps({"error": code}), content_type="application/json")


@dataclass(frozen=True)
class VisitorLimits:
    """What one visitor, and one client address, may upload in an hour. A new cookie is a new visitor, so
    the address's budget is what holds back someone who throws cookies away. An upload no message uses is
    deleted by the retention purge (`oms_client.stores.retention`)."""

    uploads_per_visitor: int = 20
    uploads_per_client: int = 60


class WebChat:
    def __init__(
        self,
        intake: Intake,
        log: ChatLog,
        media: MediaStore,
        doorbell: Doorbell,
        clock: Clock,
        budgets: Budgets,
        proxy: str | None = None,
        limits: VisitorLimits = VisitorLimits(),
    ) -> None:
        """`proxy`: the header a trusted reverse proxy sets to the client's address (X-Forwarded-For)."""
        self.intake, self.log, self.media, self.doorbell, self.clock = intake, log, media, doorbell, clock
        self.budgets, self.proxy, self.limits = budgets, proxy, limits
        self.page = (STATIC / "chat.html").read_bytes()
        self.assets = {name: (STATIC / name).read_bytes() for name in ASSETS}
        self.closing = False

    def routes(self, app: web.Application) -> None:
        app.router.add_get(PATH, self.show_page)
        app.router.add_get(f"{PATH}/{{asset:chat\\.(js|css)}}", self.show_asset)
        app.router.add_get(f"{PATH}/api/history", self.history)
        app.router.add_get(f"{PATH}/api/replies", self.replies)
        app.router.add_post(f"{PATH}/api/messages", self.receive)
        app.router.add_post(f"{PATH}/api/images", self.upload)
        app.router.add_get(f"{PATH}/api/images/{{image}}", self.image)
        app.on_shutdown.append(self._let_go)

    async def _let_go(self, app: web.Application) -> None:
        """Shutting down: waiting pages get their (empty) answer now and ask the next process."""
        self.closing = True
        self.doorbell.ring_all()

    async def show_page(self, request: web.Request) -> web.Response:
        response = web.Response(body=self.page, content_type="text/html", charset="utf-8", headers=PAGE_HEADERS)
        response.headers["Cache-Control"] = "no-store"
        give_token(request, response, self.proxy)
        return response

    async def show_asset(self, request: web.Request) -> web.Response:
        name = request.match_info["asset"]
        headers = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
        return web.Response(body=self.assets[name], content_type=ASSETS[name], charset="utf-8", headers=headers)

    async def history(self, request: web.Request) -> web.Response:
        """The chat so far, for a page that was just opened or reloaded."""
        visitor = _visitor(request)
        lines = await self.log.recent(CHANNEL, visitor, self.clock.now())
        return _lines(lines, _last_reply(lines, 0))

    async def replies(self, request: web.Request) -> web.Response:
        """Replies after `after`, waiting up to `wait` seconds (at most WAIT_SECONDS) for the first one.

        A page coming back to the foreground asks with `wait=0` to draw what it missed at once.
        """
        visitor = _visitor(request)
        after = _number(request.query.get("after", "0"))
        wait = min(_number(request.query.get("wait", str(int(WAIT_SECONDS)))), WAIT_SECONDS)
        loop = asyncio.get_running_loop()  # waiting is real time, whatever the business clock says
        deadline = loop.time() + wait
        while True:
            lines = await self.log.replies_after(CHANNEL, visitor, after, self.clock.now())
            left = deadline - loop.time()
            if lines or left <= 0 or self.closing:
                return _lines(lines, _last_reply(lines, after))
            await self.doorbell.wait(f"{CHANNEL}:{visitor}", min(LOOK_EVERY_SECONDS, left))

    async def receive(self, request: web.Request) -> web.Response:
        visitor = _visitor(request, posting=True)
        payload = await self._payload(request, visitor) | {"client": client_of(request, self.proxy)}
        if payload.get("image"):
            await self.media.use(f"{CHANNEL}:{visitor}", payload["image"], self.clock.now())
        await self.intake.accept(CHANNEL, f"{visitor}:{payload['id']}", visitor, payload)
        return web.json_response({"ok": True}, status=202)

    async def upload(self, request: web.Request) -> web.Response:
        visitor = _visitor(request, posting=True)
        if (request.content_length or 0) > IMAGE_LIMIT:
            raise Refused(413, "too_large")
        data = bytearray()
        async for chunk in request.content.iter_chunked(64 * 1024):
            data += chunk
            if len(data) > IMAGE_LIMIT:
                raise Refused(413, "too_large")
        if picture_type(bytes(data)) is None:
            raise Refused(415, "not_image")
        await self._spend_upload(visitor, client_of(request, self.proxy))
        picture = await asyncio.to_thread(redrawn, bytes(data))
        if picture is None:
            raise Refused(415, "not_image")
        image_id = await self.media.put(f"{CHANNEL}:{visitor}", *picture, self.clock.now(), pending=True)
        return web.json_response({"id": image_id}, status=201)

    async def _spend_upload(self, visitor: str, client: str) -> None:
        now, hour, limits = self.clock.now(), timedelta(hours=1), self.limits
        if not await self.budgets.take(f"upload:visitor:{CHANNEL}:{visitor}", limits.uploads_per_visitor, hour, now):
            raise Refused(429, "too_many")
        if not await self.budgets.take(f"upload:client:{client}", limits.uploads_per_client, hour, now):
            raise Refused(429, "too_many")

    async def image(self, request: web.Request) -> web.Response:
        visitor = _visitor(request)
        image_id = request.match_info["image"]
        found = await self.media.get(f"{CHANNEL}:{visitor}", image_id) if MEDIA_ID.match(image_id) else None
        if found is None:
            raise Refused(404, "no_image")
        mime, data = found
        headers = {"Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff"}
        return web.Response(body=data, content_type=mime, headers=headers)

    async def _payload(self, request: web.Request, visitor: str) -> dict[str, Any]:
        """The inbox payload of a posted message, or Refused with what is wrong with it."""
        try:
            body = await request.json()
        except (ValueError, UnicodeDecodeError) as error:
            raise Refused(400, "bad_request") from error
        if not isinstance(body, dict) or not MESSAGE_ID.match(str(body.get("id", ""))):
            raise Refused(400, "bad_request")
        text, label, image = body.get("text", ""), body.get("label"), body.get("image")
        if not isinstance(text, str) or not isinstance(label, str | None) or not isinstance(image, str | None):
            raise Refused(400, "bad_request")
        text = text.strip()
        if len(text) > TEXT_LIMIT or (label is not None and len(label) > LABEL_LIMIT):
            raise Refused(400, "too_long")
        if image is not None and not (MEDIA_ID.match(image) and await self.media.exists(f"{CHANNEL}:{visitor}", image)):
            raise Refused(400, "no_image")
        if not text and image is None:
            raise Refused(400, "empty")
        payload: dict[str, Any] = {"visitor": visitor, "id": body["id"], "text": text}
        extras = {"label": label, "image": image, "hidden": body.get("hidden") is True or None}
        return payload | {key: value for key, value in extras.items() if value}


def _visitor(request: web.Request, posting: bool = False) -> str:
    visitor = visitor_of(request)
    if visitor is None:
        raise Refused(401, "no_session")
    if posting and request.headers.get(REQUEST_HEADER) != "1":
        raise Refused(403, "forbidden")
    return visitor


def _number(value: str) -> int:
    if not value.isdigit() or len(value) > 18:
        raise Refused(400, "bad_request")
    return int(value)


def _last_reply(lines: list[Line], after: int) -> int:
    return max((line.id for line in lines if line.ours), default=after)


def _lines(lines: list[Line], after: int) -> web.Response:
    shown = [_shown(line) for line in lines if not line.body.get("hidden")]
    return web.json_response({"messages": shown, "after": after})


def _shown(line: Line) -> dict[str, Any]:
    if line.ours:
        return {"from": "bot", "id": line.id} | {
            k: v for k, v in line.body.items() if k in ("text", "buttons", "image")
        }
    body = line.body
    shown: dict[str, Any] = {"from": "me", "id": body["id"], "text": body.get("label") or body.get("text", "")}
    if body.get("image"):
        shown["image"] = f"{PATH}/api/images/{body['image']}"
    return shown
