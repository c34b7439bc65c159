"""One person's chat data: erased on request, or shown to them (PIPL's rights to erasure and access).

A person is known to the store by their chats (channel and user id) and, through the proofs those chats
gave, by a receiver phone. Erasing a chat removes what it said and was told (deliveries, replies,
conversation state, pictures, proofs, failed guesses, hand-off summaries) and blanks what it typed into
the records that are kept (cases' free text, audit details). Orders are the shop's books: they stay, but
their receivers are masked once the orders are older than the retention. What a chat said can also sit in
messages to staff (a relayed line, a hand-off summary): those are found by the words themselves.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Text, and_, cast, delete, insert, or_, select, update

from oms_client.domain import order_key
from oms_client.masking import mask_name, mask_phone
from oms_client.sql import models as m
from oms_client.sql.audit import audit_row
from oms_client.store import ChatUser

ERASED = "（已删除）"
# What a customer typed into a case: their own words, the size or colour wanted, a new address, an answer.
TYPED_CASE_FIELDS = ("words", "attribute", "address", "answer")
# Shorter words ("好的", "是的") are everywhere in staff chats and say nothing about anyone.
SHORTEST_SEARCHED = 4


@dataclass
class Erased:
    """How many rows of each kind went (or were blanked): what the command reports and the audit keeps."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, rows: int) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + rows


def chats_of_phone(conn: Connection, phone: str) -> list[ChatUser]:
    """The chats that proved they hold this receiver phone."""
    binding = m.ChatBindingRow
    rows = conn.execute(select(binding.channel, binding.user_id).where(binding.receiver_phone == phone).distinct())
    return [ChatUser(row.channel, row.user_id) for row in rows]


def erase_chat(conn: Connection, user: ChatUser, words: Collection[str], staff: Sequence[tuple[str, str]]) -> Erased:
    """Erase one chat; `words` are what it wrote (read off its deliveries by the channels), searched for in the
    messages to `staff` chats (channel, chat id)."""
    erased, key = Erased(), user.key
    inbox, out, binding, failure = m.InboxRow, m.OutgoingRow, m.ChatBindingRow, m.VerificationFailureRow
    offer = m.OversellOfferRow
    by_user = {"channel": user.channel, "user_id": user.user_id}
    steps = {
        "staff_messages": _staff_messages(staff, words),
        "replies": delete(out).where(out.channel == user.channel, out.chat_id == user.user_id),
        "deliveries": delete(inbox).where(inbox.chat_key == key),
        "conversation": delete(m.ConversationRow).where(m.ConversationRow.key == key),
        "pictures": delete(m.MediaRow).where(m.MediaRow.owner == key),
        "proofs": delete(binding).where(*(getattr(binding, k) == v for k, v in by_user.items())),
        "failed_proofs": delete(failure).where(*(getattr(failure, k) == v for k, v in by_user.items())),
        "notices": delete(m.CustomerNoticeRow).where(m.CustomerNoticeRow.chat_key == key),
        "oversell_offers": delete(offer).where(*(getattr(offer, k) == v for k, v in by_user.items())),
        "nlu_candidates": delete(m.NluCandidateRow).where(m.NluCandidateRow.chat_key == key),
        "budgets": delete(m.BudgetRow).where(m.BudgetRow.key.like(f"%:{_escaped_like(key)}", escape="\\")),
        "handoff_summaries": update(m.HandoffRow).where(m.HandoffRow.chat_key == key).values(summary={}),
        "audit_details": update(m.AuditLogRow).where(m.AuditLogRow.actor == key[:80]).values(detail={}),
    }
    for kind, statement in steps.items():
        if statement is not None:
            erased.add(kind, int(conn.execute(statement).rowcount or 0))
    erased.add("case_details", _blank_cases(conn, key))
    return erased


def mask_receivers(conn: Connection, phone: str, ordered_before: datetime) -> int:
    """Receivers to this phone on orders older than `ordered_before`, masked as every reply shows them; the
    addresses an address change moved them from and to (kept in the audit) go with them."""
    order, log = m.OrderRow, m.AuditLogRow
    found = conn.execute(
        select(order.id, order.receiver_name, order.platform, order.order_no).where(
            order.receiver_phone == phone, order.created_at < ordered_before
        )
    ).all()
    for row in found:
        masked = {"receiver_name": mask_name(row.receiver_name), "receiver_phone": mask_phone(phone),
                  "receiver_detail": ""}  # fmt: skip
        conn.execute(update(order).where(order.id == row.id).values(masked))
        moves = (log.subject_type == "order", log.subject_id == order_key(row.platform, row.order_no)[:40])
        conn.execute(update(log).where(*moves, log.action == "order.address_change").values(detail={}))
    return len(found)


def record_erasure(conn: Connection, who: str, erased: Erased, now: datetime) -> None:
    """The audit keeps that an erasure happened and what it removed, under a digest of who asked."""
    conn.execute(insert(m.AuditLogRow), [audit_row("privacy", "privacy_erase", ("person", who),
                                                              dict(erased.counts), now)])  # fmt: skip


def _staff_messages(staff: Sequence[tuple[str, str]], words: Collection[str]) -> Any:
    searched = [w for w in {" ".join(w.split()) for w in words} if len(w) >= SHORTEST_SEARCHED]
    if not staff or not searched:
        return None
    out = m.OutgoingRow
    body = cast(out.body, Text)
    chats = or_(*(and_(out.channel == channel, out.chat_id == chat_id) for channel, chat_id in staff))
    mentions = or_(*(body.like(f"%{pattern}%", escape="\\") for w in searched for pattern in _stored_forms(w)))
    return delete(out).where(chats, mentions)


def _stored_forms(words: str) -> set[str]:
    """How the words look inside a stored JSON body: escaped (the default encoder) or as written."""
    return {_escaped_like(json.dumps(words)[1:-1]), _escaped_like(json.dumps(words, ensure_ascii=False)[1:-1])}


def _escaped_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _blank_cases(conn: Connection, key: str) -> int:
    case = m.AfterSalesCaseRow
    rows = conn.execute(select(case.id, case.detail).where(case.filed_by == key)).all()
    for row in rows:
        detail = {k: (ERASED if k in TYPED_CASE_FIELDS and v else v) for k, v in dict(row.detail or {}).items()}
        conn.execute(update(case).where(case.id == row.id).values(detail=detail))
    return len(rows)


def held_about(conn: Connection, phone: str | None, chats: Sequence[ChatUser]) -> dict[str, Any]:
    """Everything the store holds about a person, as JSON-ready data: the orders to their phone and, for
    each of their chats, what it said and was told, its proofs, pictures and cases."""
    order = m.OrderRow
    orders = [] if phone is None else conn.execute(
        select(order.platform, order.order_no, order.state, order.created_at, order.receiver_name,
               order.receiver_phone, order.receiver_province, order.receiver_city, order.receiver_district,
               order.receiver_detail).where(order.receiver_phone == phone).order_by(order.created_at)
    ).mappings().all()  # fmt: skip
    return {"orders": [_plain(row) for row in orders], "chats": [_chat_held(conn, chat) for chat in chats]}


def _chat_held(conn: Connection, user: ChatUser) -> dict[str, Any]:
    inbox, out, media, case = m.InboxRow, m.OutgoingRow, m.MediaRow, m.AfterSalesCaseRow
    binding = m.ChatBindingRow
    queries = {
        "proofs": select(binding.receiver_phone, binding.created_at).where(
            binding.channel == user.channel, binding.user_id == user.user_id
        ),
        "conversation": select(m.ConversationRow.state, m.ConversationRow.updated_at).where(
            m.ConversationRow.key == user.key
        ),
        "deliveries": select(inbox.received_at, inbox.payload).where(inbox.chat_key == user.key).order_by(inbox.id),
        "replies": select(out.created_at, out.sent_at, out.body)
        .where(out.channel == user.channel, out.chat_id == user.user_id)
        .order_by(out.id),
        "pictures": select(media.id, media.mime, media.size, media.created_at).where(media.owner == user.key),
        "cases": select(case.id, case.kind, case.state, case.created_at, case.detail).where(case.filed_by == user.key),
    }
    held: dict[str, Any] = {"channel": user.channel, "user_id": user.user_id}
    for kind, query in queries.items():
        held[kind] = [_plain(row) for row in conn.execute(query).mappings().all()]
    return held


def _plain(row: Any) -> dict[str, Any]:
    return {key: value.isoformat() if isinstance(value, datetime) else value for key, value in dict(row).items()}
