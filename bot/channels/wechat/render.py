"""Replies as WeChat messages: one text per turn where it fits, buttons as tappable menu links, images.

A passive reply carries a single message, so a turn's texts are joined into one (up to WeChat's 2,048
bytes) and only what does not fit, and images, go out as customer-service messages. WeChat has no
inline keyboards; a `weixin://bizmsgmenu` link in the text sends its content back when tapped, which
is what a button press is everywhere else.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from wechatpy.replies import TextReply

from bot.channels.text_split import split_text, utf8_size
from handlers.messages import Button, Reply

TEXT_LIMIT_BYTES = 2048


def bodies(replies: Sequence[Reply]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    texts: list[str] = []
    for reply in replies:
        text = _with_links(reply.text, reply.buttons)
        if reply.image is not None and reply.image.caption:
            text = "\n".join(part for part in (text, reply.image.caption) if part)
        if text:
            texts.append(text)
        if reply.image is not None:
            out += _texts(texts)
            texts = []
            out.append({"image": base64.b64encode(reply.image.data).decode(), "mime": reply.image.mime})
    return out + _texts(texts)


def _texts(parts: list[str]) -> list[dict[str, Any]]:
    if not parts:
        return []
    return [{"text": chunk} for chunk in split_text("\n\n".join(parts), TEXT_LIMIT_BYTES, utf8_size)]


def _with_links(text: str, buttons: Sequence[Button]) -> str:
    links = [
        f'<a href="weixin://bizmsgmenu?msgmenucontent={html.escape(b.payload)}&msgmenuid={i}">{html.escape(b.label)}</a>'
        for i, b in enumerate(buttons, start=1)
    ]
    return "\n".join([text, *links]) if text else "\n".join(links)


def passive_xml(body: dict[str, Any], openid: str, account: str, now: datetime) -> str:
    """The text reply XML for the callback's answer; CDATA cannot hold "]]>", so it is split there."""
    content = str(body["text"]).replace("]]>", "]]]]><![CDATA[>")
    return str(TextReply(source=account, target=openid, content=content, time=int(now.timestamp())).render())
