"""A fake Telegram Bot API on loopback, spoken to over HTTP by the real aiogram client.

It keeps an update queue for getUpdates (long polling, confirmed by offset like the real one), records
every message, photo, callback answer, webhook and command menu it is given, and can be told to answer
the next requests with 429 or to be down.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.loopback import Loopback


@dataclass
class Sent:
    chat_id: str
    text: str
    buttons: list[list[tuple[str, str]]] = field(default_factory=list)  # rows of (label, callback data)
    parse_mode: str = ""
    photo: bytes | None = None
    at: float = field(default_factory=time.monotonic)

    @property
    def callback_data(self) -> list[str]:
        return [data for row in self.buttons for _, data in row]


Gate = Callable[[], web.Response | None]


class FakeBotApi(Loopback):
    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.updates: list[dict[str, Any]] = []
        self.answered: list[str] = []
        self.files: dict[str, bytes] = {}  # file_id -> what getFile and the file URL hand out
        self.downloads = 0
        self.commands: dict[str, list[str]] = {}
        self.webhook: dict[str, Any] | None = None
        self.webhook_deleted = 0
        self.get_updates_calls = 0
        self.down = False
        self.blocked: set[str] = set()  # chats whose user blocked the bot
        self.rate_limit_next = 0
        self.retry_after = 1
        self.on_sent: Callable[[Sent], None] | None = None
        self.gate: Gate = self._own_gate
        self._next_update_id = 500
        self._next_message_id = 1
        self._arrived = asyncio.Event()

    def install(self, app: web.Application) -> None:
        app.router.add_post("/bot{token}/{method}", self._call)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)

    # -- updates as Telegram would send them --------------------------------------------------------

    def text_update(self, chat_id: int, text: str, user_id: int | None = None, lang: str = "zh-hans") -> dict[str, Any]:
        message = self._message(chat_id, user_id or chat_id, lang) | {"text": text}
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self._update({"message": message})

    def photo_update(
        self, chat_id: int, caption: str = "", user_id: int | None = None, data: bytes | None = None
    ) -> dict[str, Any]:
        """A photo as Telegram sends it, in two sizes; with `data`, the large one can be downloaded."""
        large = f"large-{self._next_message_id}"
        sizes = [
            {"file_id": f"small-{self._next_message_id}", "file_unique_id": "s", "width": 90, "height": 90},
            {"file_id": large, "file_unique_id": "l", "width": 1280, "height": 1280},
        ]
        if data is not None:
            self.files[large] = data
        message = self._message(chat_id, user_id or chat_id, "zh-hans") | {"photo": sizes}
        if caption:
            message["caption"] = caption
        return self._update({"message": message})

    def press(self, sent: Sent, label: str, user_id: int | None = None) -> dict[str, Any]:
        """The user taps the button labelled `label` under a message the bot sent."""
        rows = [[{"text": text, "callback_data": data} for text, data in row] for row in sent.buttons]
        data = next(data for row in sent.buttons for text, data in row if text == label)
        chat_id = int(sent.chat_id)
        message = {
            "message_id": self._next_message_id,
            "date": int(time.time()),
            "chat": _chat(chat_id),
            "from": {"id": 1, "is_bot": True, "first_name": "xiaoer"},
            "text": sent.text,
            "reply_markup": {"inline_keyboard": rows},
        }
        user = {"id": user_id or chat_id, "is_bot": False, "first_name": "顾客"}
        query = {"id": f"q{self._next_update_id}", "from": user, "chat_instance": "ci", "data": data}
        query["message"] = message
        return self._update({"callback_query": query})

    def queue(self, update: dict[str, Any]) -> None:
        """Make an update available to getUpdates."""
        self.updates.append(update)
        self._arrived.set()

    def texts(self, chat_id: int | str | None = None) -> list[str]:
        return [s.text for s in self.sent if chat_id is None or s.chat_id == str(chat_id)]

    def _message(self, chat_id: int, user_id: int, lang: str) -> dict[str, Any]:
        self._next_message_id += 1
        sender = {"id": user_id, "is_bot": False, "first_name": "顾客", "language_code": lang}
        return {"message_id": self._next_message_id, "date": int(time.time()), "chat": _chat(chat_id), "from": sender}

    def _update(self, body: dict[str, Any]) -> dict[str, Any]:
        self._next_update_id += 1
        return {"update_id": self._next_update_id} | body

    # -- the API --------------------------------------------------------------------------------------

    def _own_gate(self) -> web.Response | None:
        if self.down:
            return web.Response(status=502, text="bad gateway")
        if self.rate_limit_next > 0:
            self.rate_limit_next -= 1
            return too_many_requests(self.retry_after)
        return None

    async def _call(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        form = await request.post()
        if method == "getUpdates":
            return _ok(await self._get_updates(form))
        refused = self.gate()
        if refused is not None:
            return refused
        handler = getattr(self, f"_{method}", None)
        if handler is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        result = await handler(form)
        return result if isinstance(result, web.Response) else _ok(result)

    async def _get_updates(self, form: Any) -> list[dict[str, Any]]:
        self.get_updates_calls += 1
        offset = int(form.get("offset") or 0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]  # confirmed ones are forgotten
        if not self.updates:
            self._arrived.clear()
            timeout = min(float(form.get("timeout") or 0), 0.5)  # short, so tests stop quickly
            try:
                await asyncio.wait_for(self._arrived.wait(), timeout)
            except TimeoutError:
                return []
        return list(self.updates)

    async def _getMe(self, form: Any) -> dict[str, Any]:
        return {"id": 123456, "is_bot": True, "first_name": "店小二", "username": "xiaoer_test_bot"}

    async def _sendMessage(self, form: Any) -> dict[str, Any] | web.Response:
        if str(form["chat_id"]) in self.blocked:
            answer = {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
            return web.json_response(answer, status=403)
        return self._record(form, str(form["text"]), None)

    async def _sendPhoto(self, form: Any) -> dict[str, Any]:
        photo = form["photo"]
        if isinstance(photo, str) and photo.startswith("attach://"):  # aiogram names the file's own form field
            photo = form[photo.removeprefix("attach://")]
        return self._record(form, str(form.get("caption", "")), photo.file.read())

    async def _getFile(self, form: Any) -> dict[str, Any] | web.Response:
        file_id = str(form["file_id"])
        if file_id not in self.files:
            answer = {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"}
            return web.json_response(answer, status=400)
        size = len(self.files[file_id])
        return {"file_id": file_id, "file_unique_id": "u", "file_size": size, "file_path": f"photos/{file_id}.jpg"}

    async def _file(self, request: web.Request) -> web.Response:
        file_id = request.match_info["path"].removeprefix("photos/").removesuffix(".jpg")
        if file_id not in self.files:
            return web.Response(status=404)
        self.downloads += 1
        return web.Response(body=self.files[file_id], content_type="image/jpeg")

    async def _answerCallbackQuery(self, form: Any) -> bool:
        self.answered.append(str(form["callback_query_id"]))
        return True

    async def _setWebhook(self, form: Any) -> bool:
        self.webhook = {key: str(value) for key, value in form.items()}
        return True

    async def _deleteWebhook(self, form: Any) -> bool:
        self.webhook_deleted += 1
        self.webhook = None
        return True

    async def _setMyCommands(self, form: Any) -> bool:
        commands = json.loads(str(form["commands"]))
        self.commands[str(form.get("language_code", ""))] = [c["command"] for c in commands]
        return True

    def _record(self, form: Any, text: str, photo: bytes | None) -> dict[str, Any]:
        markup = json.loads(str(form.get("reply_markup", "{}")))
        rows = [[(b["text"], b["callback_data"]) for b in row] for row in markup.get("inline_keyboard", [])]
        sent = Sent(str(form["chat_id"]), text, rows, str(form.get("parse_mode", "")), photo)
        self.sent.append(sent)
        if self.on_sent is not None:
            self.on_sent(sent)
        self._next_message_id += 1
        return {
            "message_id": self._next_message_id,
            "date": int(time.time()),
            "chat": _chat(int(sent.chat_id)),
            "text": text,
        }


def too_many_requests(retry_after: int) -> web.Response:
    answer = {"ok": False, "error_code": 429, "description": f"Too Many Requests: retry after {retry_after}"}
    return web.json_response(answer | {"parameters": {"retry_after": retry_after}}, status=429)


def _chat(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "type": "group" if chat_id < 0 else "private"}


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})
