"""`xiaoer privacy erase | export`: one person's chat data erased, or shown to them (PIPL).

The store knows a person by their chats and the receiver phone those chats proved; the channels know
what a delivery said (each platform writes it in its own place), so the words to look for in staff
chats are read here, through the channels, before the store erases.
"""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, select

from bot.bootstrap import App
from bot.channels.port import ChatChannel
from nlu.slots import canonical, whole_phone
from oms_client.sql import models as m
from oms_client.store import ChatUser
from oms_client.stores.erasure import Erased, chats_of_phone, erase_chat, held_about, mask_receivers, record_erasure

CHANNELS = ("telegram", "wechat", "wecom", "wecom_kf", "web", "console")
ERASED_NAMES = {
    "staff_messages": "转给客服的消息", "replies": "回复", "deliveries": "收到的消息", "conversation": "会话状态",
    "pictures": "图片", "proofs": "订单验证", "failed_proofs": "验证失败记录", "notices": "提醒记录",
    "budgets": "频率计数", "handoff_summaries": "转人工摘要", "audit_details": "审计详情",
    "case_details": "售后申请中的原话", "masked_orders": "已脱敏的订单",
}  # fmt: skip
# Where a platform's delivery holds what the person typed, for a channel this process has not enabled.
TYPED_KEYS = ("text", "caption", "Content", "content", "label")


async def erase_person(app: App, phone: str | None = None, user: ChatUser | None = None) -> dict[str, int]:
    """Erase the chats of `user`, or of everyone who proved `phone` (and mask its old orders' receivers)."""
    now = app.clock.now()
    chats = await _chats(app, phone, user)
    words = {chat: await _words(app, chat) for chat in chats}
    staff = _staff_chats(app)
    cutoff = now - timedelta(days=app.shop.privacy.receiver_days)
    who = hashlib.sha256((phone or (user.key if user else "")).encode()).hexdigest()[:32]

    def erase(conn: Connection) -> Erased:
        total = Erased()
        for chat in chats:
            for kind, rows in erase_chat(conn, chat, words[chat], staff).counts.items():
                total.add(kind, rows)
        if phone:
            total.add("masked_orders", mask_receivers(conn, phone, cutoff))
        record_erasure(conn, who, total, now)
        return total

    erased = await app.database.write.run(erase)
    await app.database.compact()
    return erased.counts


async def export_person(app: App, phone: str | None = None, user: ChatUser | None = None) -> dict[str, Any]:
    chats = await _chats(app, phone, user)
    async with app.database.read.connect() as conn:
        return await conn.run_sync(held_about, phone, chats)


async def _chats(app: App, phone: str | None, user: ChatUser | None) -> list[ChatUser]:
    if user is not None:
        return [user]
    async with app.database.read.connect() as conn:
        return await conn.run_sync(chats_of_phone, phone or "")


async def _words(app: App, chat: ChatUser) -> set[str]:
    """What the chat wrote: its deliveries as its channel reads them, and its remembered lines."""
    inbox, conversation = m.InboxRow, m.ConversationRow
    async with app.database.read.connect() as conn:
        payloads = (await conn.scalars(select(inbox.payload).where(inbox.chat_key == chat.key))).all()
        state = await conn.scalar(select(conversation.state).where(conversation.key == chat.key))
    words = {text for who, text in (state or {}).get("recent", []) if who == "customer"}
    channel = app.channels.get(chat.channel)
    for payload in payloads:
        words |= await _read(channel, payload)
    return {word for word in words if word.strip()}


async def _read(channel: ChatChannel | None, payload: Any) -> set[str]:
    if channel is not None:
        try:
            message = await channel.translate(payload)
        except Exception:  # a delivery this version cannot read: fall back to the platforms' usual keys
            message = None
        if message is not None:
            return {message.text}
    return set(_typed(payload))


def _typed(payload: Any) -> list[str]:
    """The typed text in a delivery whose channel is not enabled here, found by the keys platforms use."""
    found: list[str] = []
    pending = [payload]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            found += [v for k, v in value.items() if k in TYPED_KEYS and isinstance(v, str)]
            pending += [v for v in value.values() if isinstance(v, dict | list)]
        elif isinstance(value, list):
            pending += value
    return found


def _staff_chats(app: App) -> list[tuple[str, str]]:
    """Every chat staff use: what a customer said may have been relayed to any of them."""
    chats = {(address.channel, address.chat_id) for member in app.roster.members for address in member.addresses()}
    return sorted(chats | {("console", member.id) for member in app.roster.members})


async def privacy_command(app: App, command: str, phone: str | None, user: str | None) -> int:
    """`xiaoer privacy erase|export --phone P | --user CHANNEL:ID`; a malformed person changes nothing."""
    person = _person(phone, user)
    if person is None:
        print("请用 --phone 给出 11 位手机号，或用 --user 给出 渠道:用户ID（如 telegram:5150）。", file=sys.stderr)
        return 2
    if command == "export":
        print(json.dumps(await export_person(app, *person), ensure_ascii=False, indent=2))
        return 0
    counts = await erase_person(app, *person)
    done = "、".join(f"{ERASED_NAMES.get(kind, kind)} {rows}" for kind, rows in counts.items() if rows)
    print(f"已删除（条数）：{done or '无'}")
    return 0


def _person(phone: str | None, user: str | None) -> tuple[str | None, ChatUser | None] | None:
    if phone is not None:
        digits = canonical(phone)
        return (digits, None) if whole_phone(digits) == digits else None
    channel, _, user_id = (user or "").partition(":")
    return (None, ChatUser(channel, user_id)) if channel in CHANNELS and user_id else None
