"""WeCom app messages and 微信客服 messages into the one message type.

Staff write to the shop's WeCom app (text, images, menu clicks, template-card buttons); WeChat customers
write through 微信客服, whose messages are pulled with sync_msg and look different again. Customer messages
(origin 3) are answered, and a customer entering the chat is welcomed; the servicers' own messages and
other system events are not.
"""

from __future__ import annotations

from typing import Any

from bot.channels.wechat.translate import command_message, menu_click, typed_command, user_message
from handlers.messages import Attachment, IncomingMessage

APP_CHANNEL = "wecom"
KF_CHANNEL = "wecom_kf"
KF_EVENT = "kf_msg_or_event"
CUSTOMER_ORIGIN = 3
EVENT_ORIGIN = 4  # system events in the feed, among them a customer entering the chat
ENTER_SESSION = "enter_session"


def app_message(message: dict[str, Any]) -> IncomingMessage | None:
    user = str(message["FromUserName"])
    kind = str(message.get("MsgType", "")).lower()
    if kind == "event":
        return _app_event(user, message)
    if kind in {"image", "voice", "video", "file"}:
        return user_message(APP_CHANNEL, user, message, "", (Attachment(kind, str(message.get("MediaId") or "")),))
    return user_message(APP_CHANNEL, user, message, str(message.get("Content") or "") if kind == "text" else "")


def _app_event(user: str, message: dict[str, Any]) -> IncomingMessage | None:
    """Menu clicks and template-card buttons; opening the app and reporting a location need no answer."""
    event, key = str(message.get("Event", "")).lower(), str(message.get("EventKey") or "")
    if event == "click":
        return menu_click(APP_CHANNEL, user, key, message)
    if event == "template_card_event" and key:
        return IncomingMessage(APP_CHANNEL, user, user, key, raw=message, command=typed_command(key))
    return None


def kf_chat(message: dict[str, Any]) -> str:
    """A 微信客服 conversation is a customer talking to one of the shop's kf accounts; sending needs both.
    An event names them inside its `event` part."""
    named = message.get("event", message) if message.get("origin") == EVENT_ORIGIN else message
    return f"{named['open_kfid']}|{named['external_userid']}"


def answered(message: dict[str, Any]) -> bool:
    """What the bot answers: a customer's message, or a customer opening the chat (the welcome)."""
    if message.get("origin") == EVENT_ORIGIN:
        event = message.get("event") or {}
        return event.get("event_type") == ENTER_SESSION and bool(event.get("welcome_code"))
    return message.get("origin") == CUSTOMER_ORIGIN


def welcome_code(message: dict[str, Any]) -> str | None:
    """The one-time code (valid 20 s) an enter_session event gives for answering it with a welcome."""
    return str((message.get("event") or {}).get("welcome_code") or "") or None


def kf_message(message: dict[str, Any]) -> IncomingMessage | None:
    if not answered(message):
        return None
    chat = kf_chat(message)
    if message.get("origin") == EVENT_ORIGIN:  # opened from a link or QR code whose scene_param may name an order
        return command_message(KF_CHANNEL, chat, message, "start", str(message["event"].get("scene_param") or ""))
    kind = str(message.get("msgtype", ""))
    text, attachments = "", tuple[Attachment, ...]()
    if kind == "text":
        text = str(message.get("text", {}).get("content") or "")
    elif kind in {"image", "voice", "video", "file"}:
        attachments = (Attachment(kind, str(message.get(kind, {}).get("media_id") or "")),)
    return IncomingMessage(
        channel=KF_CHANNEL,
        chat_id=chat,
        user_id=chat,  # who they are to us is where we can answer them: a case update goes back here
        text=text,
        attachments=attachments,
        message_id=str(message.get("msgid") or "") or None,
        raw=message,
        command=typed_command(text),
    )
