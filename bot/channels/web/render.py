"""Replies as the page draws them: a bubble of text, its buttons under it, a picture inline."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from handlers.messages import Reply


def bodies(replies: Sequence[Reply]) -> list[dict[str, Any]]:
    return [_body(reply) for reply in replies]


def _body(reply: Reply) -> dict[str, Any]:
    body: dict[str, Any] = {"text": reply.text}
    if reply.buttons:
        body["buttons"] = [{"label": b.label, "payload": b.payload} for b in reply.buttons]
    if reply.image is not None:
        data = base64.b64encode(reply.image.data).decode()
        body["image"] = {"data": data, "mime": reply.image.mime, "caption": reply.image.caption}
    return body
