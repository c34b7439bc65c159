"""WeChat callback messages (as parsed from their XML) into the one message type.

Text, images and voice (with WeChat's own speech recognition, when the account has it on) are what a
customer sends; subscribing, scanning a shop's QR code and pressing the account's menu are events that
become the same commands Telegram's menu sends, so the dialogue treats every channel alike.
"""

from __future__ import annotations

from typing import Any

from handlers.messages import Attachment, IncomingMessage

CHANNEL = "wechat"
# The account's menu: (label, click key). A key that is a dialogue command runs it; the rest are typed text.
MENU = (("我的订单", "orders"), ("转人工", "human"), ("帮助", "help"))
MENU_COMMANDS = {"orders", "help", "cancel"}
MENU_TEXT = {"human": "转人工"}
QR_SCENE_PREFIX = "qrscene_"  # a scene QR code scanned by someone not yet following the account
SILENT_EVENTS = {"unsubscribe", "view", "location", "templatesendjobfinish", "masssendjobfinish"}


def delivery_key(message: dict[str, Any]) -> str:
    """Tencent's advice (WeChat and WeCom callbacks): MsgId for messages; sender + CreateTime for events."""
    if message.get("MsgId"):
        return str(message["MsgId"])
    return f"{message.get('FromUserName')}:{message.get('CreateTime')}:{message.get('Event', '')}"


def chat_of(message: dict[str, Any]) -> str | None:
    sender = message.get("FromUserName")
    return sender if isinstance(sender, str) and sender else None


def to_message(message: dict[str, Any]) -> IncomingMessage | None:
    """None for events nobody answers (unfollow, link opened, location reports)."""
    openid = str(message["FromUserName"])
    kind = str(message.get("MsgType", "")).lower()
    if kind == "event":
        return _event(openid, message)
    text, attachments = _content(kind, message)
    return user_message(CHANNEL, openid, message, text, attachments)


def user_message(
    channel: str, user: str, raw: dict[str, Any], text: str, attachments: tuple[Attachment, ...] = ()
) -> IncomingMessage:
    """What a user wrote in their own chat with an account (WeChat's, a WeCom app's), as Tencent delivered it."""
    message_id = str(raw.get("MsgId") or "") or None
    return IncomingMessage(channel, user, user, text, attachments, message_id, raw, typed_command(text))


def typed_command(text: str) -> str | None:
    """ "/orders" typed by hand, as the help text suggests; WeChat has no command syntax of its own."""
    word = text.split(maxsplit=1)[0] if text.startswith("/") else ""
    name = word[1:].lower()
    return name if name.isascii() and name.isalpha() else None


def _content(kind: str, message: dict[str, Any]) -> tuple[str, tuple[Attachment, ...]]:
    if kind == "text":
        return str(message.get("Content") or ""), ()
    if kind == "image":
        return "", (Attachment("image", str(message.get("MediaId") or message.get("PicUrl") or "")),)
    if kind == "voice":
        return str(message.get("Recognition") or ""), (Attachment("voice", str(message.get("MediaId") or "")),)
    if kind in {"video", "shortvideo"}:
        return "", (Attachment("video", str(message.get("MediaId") or "")),)
    return "", ()  # links, locations: the dialogue asks for words


def _event(openid: str, message: dict[str, Any]) -> IncomingMessage | None:
    event = str(message.get("Event", "")).lower()
    key = str(message.get("EventKey") or "")
    if event in SILENT_EVENTS:
        return None
    if event == "subscribe":
        return command_message(CHANNEL, openid, message, "start", key.removeprefix(QR_SCENE_PREFIX) if key else "")
    if event == "scan":
        return command_message(CHANNEL, openid, message, "start", key)
    if event == "click":
        return menu_click(CHANNEL, openid, key, message)
    return None


def menu_click(channel: str, user: str, key: str, raw: dict[str, Any]) -> IncomingMessage | None:
    """A menu button's key (WeChat's account menu, a WeCom app's menu): a command, or text to type."""
    if key in MENU_COMMANDS:
        return command_message(channel, user, raw, key, "")
    if key in MENU_TEXT:
        return IncomingMessage(channel=channel, chat_id=user, user_id=user, text=MENU_TEXT[key], raw=raw)
    return None


def command_message(channel: str, user: str, raw: dict[str, Any], command: str, argument: str) -> IncomingMessage:
    text = f"/{command} {argument}".strip()
    return IncomingMessage(channel=channel, chat_id=user, user_id=user, text=text, raw=raw, command=command)
