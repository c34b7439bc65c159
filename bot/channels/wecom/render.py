"""Replies as WeCom messages: text within 2,048 bytes; buttons as template cards in the app and as a
menu message in 微信客服, both of which send the pressed choice back like a typed message."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from typing import Any

from bot.channels.text_split import split_text, utf8_size
from handlers.messages import Button, Reply

TEXT_LIMIT_BYTES = 2048
CARD_BUTTONS = 6  # WeCom's limit for a button_interaction card
MENU_HEAD_LIMIT_BYTES = 1024


def app_bodies(replies: Sequence[Reply]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for reply in replies:
        out += _texts(reply.text)
        if reply.buttons:
            out.append({"card": _card(reply.buttons[:CARD_BUTTONS])})
            out += _texts(_as_commands(reply.buttons[CARD_BUTTONS:]))
        out += _image(reply)
    return out


def kf_bodies(replies: Sequence[Reply]) -> list[dict[str, Any]]:
    """Fewest messages possible: 微信客服 allows five per customer message, so a question rides with its menu."""
    out: list[dict[str, Any]] = []
    for reply in replies:
        if reply.buttons and utf8_size(reply.text) <= MENU_HEAD_LIMIT_BYTES:
            out.append({"menu": {"head": reply.text, "choices": [b.payload for b in reply.buttons]}})
        else:
            out += _texts(reply.text)
            if reply.buttons:
                out.append({"menu": {"head": "", "choices": [b.payload for b in reply.buttons]}})
        out += _image(reply)
    return out


def _texts(text: str) -> list[dict[str, Any]]:
    return [{"text": chunk} for chunk in split_text(text, TEXT_LIMIT_BYTES, utf8_size)] if text else []


def _image(reply: Reply) -> list[dict[str, Any]]:
    if reply.image is None:
        return []
    return [{"image": base64.b64encode(reply.image.data).decode(), "mime": reply.image.mime}]


def _card(buttons: Sequence[Button]) -> dict[str, Any]:
    """The task id is fixed here, so a retried send is the same card and WeCom can tell presses apart."""
    return {"task_id": uuid.uuid4().hex, "buttons": [[b.label, b.payload] for b in buttons]}


def _as_commands(buttons: Sequence[Button]) -> str:
    return "\n".join(f"回复「{b.payload}」：{b.label}" for b in buttons)
