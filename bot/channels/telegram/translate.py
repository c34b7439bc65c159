"""aiogram routers that only translate: a Telegram update becomes one IncomingMessage, nothing more."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Router
from aiogram.types import CallbackQuery, InaccessibleMessage, Message

from handlers.messages import Attachment, IncomingMessage

log = logging.getLogger(__name__)
CHANNEL = "telegram"


def chat_of(update: dict[str, Any]) -> str | None:
    """The chat an update belongs to, read from the raw JSON so it can be stored before parsing.

    None for updates we do not subscribe to or answer (edits, membership changes).
    """
    if "message" in update:
        return str(update["message"]["chat"]["id"])
    if "callback_query" in update:
        query = update["callback_query"]
        message = query.get("message")
        return str(message["chat"]["id"] if message else query["from"]["id"])
    return None


def command_of(text: str) -> str | None:
    """`/orders 12` → "orders"; plain text → None. Run after `without_bot_name`."""
    if not text.startswith("/") or len(text) < 2:
        return None
    return text.split(maxsplit=1)[0][1:].lower() or None


def without_bot_name(text: str) -> str:
    """Groups send `/ack@xiaoer_bot 12`; staff commands read `/ack 12` on every channel."""
    head, _, rest = text.partition(" ")
    return f"{head.split('@', 1)[0]} {rest}".rstrip() if head.startswith("/") else text


def attachments_of(message: Message) -> tuple[Attachment, ...]:
    if message.photo:
        return (Attachment("image", message.photo[-1].file_id),)  # the largest size comes last
    if message.document:
        kind = "image" if (message.document.mime_type or "").startswith("image/") else "file"
        return (Attachment(kind, message.document.file_id),)
    if message.voice:
        return (Attachment("voice", message.voice.file_id),)
    return ()


async def on_message(message: Message) -> IncomingMessage | None:
    if message.from_user is None:
        return None  # channel posts and anonymous admins: nobody to answer
    text = without_bot_name(message.text or message.caption or "")
    return IncomingMessage(
        channel=CHANNEL,
        chat_id=str(message.chat.id),
        user_id=str(message.from_user.id),
        text=text,
        attachments=attachments_of(message),
        message_id=str(message.message_id),
        command=command_of(text),
    )


async def on_button(query: CallbackQuery) -> IncomingMessage | None:
    """A pressed button sends its payload as if typed; every press is answered so the spinner stops."""
    await _answer(query)
    data = query.data or ""
    text = _label(query, data) if data.startswith("#") else data
    if not text:
        return None
    message = query.message
    chat_id = message.chat.id if message is not None else query.from_user.id
    return IncomingMessage(
        channel=CHANNEL,
        chat_id=str(chat_id),
        user_id=str(query.from_user.id),
        text=text,
        message_id=f"cb:{query.id}",
        command=command_of(text),
    )


async def _answer(query: CallbackQuery) -> None:
    """Best effort: a press handled after a restart may be too old to answer, and that is harmless."""
    try:
        await query.answer()
    except Exception as error:  # aiogram raises several kinds; none of them should lose the press
        log.info("callback %s not answered: %s", query.id, error)


def _label(query: CallbackQuery, data: str) -> str:
    """A button whose payload did not fit in 64 bytes carries its index; its label is what the user meant."""
    message = query.message
    if message is None or isinstance(message, InaccessibleMessage) or message.reply_markup is None:
        return ""
    buttons = [button for row in message.reply_markup.inline_keyboard for button in row]
    index = data[1:]
    return buttons[int(index)].text if index.isdigit() and int(index) < len(buttons) else ""


def build_router() -> Router:
    """A fresh router per dispatcher (aiogram attaches a router to one parent only)."""
    router = Router(name="telegram-translate")
    router.message.register(on_message)
    router.callback_query.register(on_button)
    return router
