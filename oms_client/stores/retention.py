"""How long chat data is kept (PIPL: no longer than the purpose needs), and the purge that enforces it.

Order and case records are kept: they are the shop's books. What a chat leaves behind is not: the raw
deliveries and the replies are needed for days (redeliveries, pacing, a reply window, a dispute), the
transcript an agent reads and the pictures of a case for months, a proof of ownership until the
customer is unlikely to come back. Each kind has its own number of days in the shop config's `[privacy]`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, Connection, Delete, Text, Update, cast, delete, select, update
from sqlalchemy.orm import InstrumentedAttribute

from oms_client.events import EVENTS_TARGET
from oms_client.sql import models as m
from oms_client.sql.database import Database

# Failed proofs count for a day at most, and budgets for an hour: older rows only take space.
GUESSES_KEPT = timedelta(days=2)
BUDGETS_KEPT = timedelta(days=2)
# A web upload no message used is deleted after this (a visitor who picked a picture and left).
UNUSED_UPLOADS_KEPT = timedelta(hours=1)
BATCH = 2_000


class Retention(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    raw_payload_days: int = Field(default=30, ge=1)  # inbox: what the platforms delivered, as delivered
    reply_days: int = Field(default=30, ge=1)  # outgoing: every message sent, and who was told what when
    transcript_days: int = Field(default=180, ge=1)  # conversation state and hand-off summaries
    picture_days: int = Field(default=180, ge=1)  # pictures customers and agents sent
    binding_days: int = Field(default=180, ge=1)  # a chat's proof of an order; after it, they prove again
    # Receivers' names, phones and addresses on orders older than this are masked when a person asks to be
    # erased (younger orders may still be shipped, returned or disputed).
    receiver_days: int = Field(default=180, ge=1)


@dataclass(frozen=True)
class Expiry:
    """Which rows of a table have outlived their kind, and what happens to them: deleted, or (`blank`)
    emptied of the chat's words while the row stays (a hand-off is part of the shop's service record)."""

    key: InstrumentedAttribute[Any]  # the table's primary key
    expired: ColumnElement[bool]
    blank: dict[str, Any] | None = None


def expiries(retention: Retention, now: datetime) -> dict[str, Expiry]:
    """Each kind's expiry, by the name the purge reports it under."""
    days = timedelta(days=1)
    inbox, out, media, handoff = m.InboxRow, m.OutgoingRow, m.MediaRow, m.HandoffRow
    notice, binding, failure, event = m.CustomerNoticeRow, m.ChatBindingRow, m.VerificationFailureRow, m.OutboxRow
    offer = m.OversellOfferRow
    finished = out.sent_at.is_not(None) | out.failed_at.is_not(None)
    return {
        "inbox": Expiry(
            inbox.id, inbox.handled_at.is_not(None) & (inbox.received_at < now - retention.raw_payload_days * days)
        ),
        "outgoing": Expiry(out.id, finished & (out.created_at < now - retention.reply_days * days)),
        "notices": Expiry(notice.id, notice.created_at < now - retention.reply_days * days),
        "oversell_offers": Expiry(offer.id, offer.told_at < now - retention.reply_days * days),
        "nlu_candidates": Expiry(m.NluCandidateRow.id, m.NluCandidateRow.at < now - retention.transcript_days * days),
        "conversations": Expiry(
            m.ConversationRow.key, m.ConversationRow.updated_at < now - retention.transcript_days * days
        ),
        "handoff_summaries": Expiry(
            handoff.id,
            (handoff.ended_at < now - retention.transcript_days * days) & (cast(handoff.summary, Text) != "{}"),
            blank={"summary": {}},
        ),
        "pictures": Expiry(media.id, media.created_at < now - retention.picture_days * days),
        "unused_uploads": Expiry(media.id, media.used_at.is_(None) & (media.created_at < now - UNUSED_UPLOADS_KEPT)),
        "bindings": Expiry(binding.id, binding.created_at < now - retention.binding_days * days),
        "failed_proofs": Expiry(failure.id, failure.at < now - GUESSES_KEPT),
        "budgets": Expiry(m.BudgetRow.key, m.BudgetRow.window_start < now - BUDGETS_KEPT),
        # Delivered outbound events carry receivers (a new address); the seller's system has them now.
        "delivered_events": Expiry(
            event.id, (event.target == EVENTS_TARGET) & (event.sent_at < now - retention.reply_days * days)
        ),
    }


async def purge(database: Database, retention: Retention, now: datetime, batch: int = BATCH) -> dict[str, int]:
    """Delete (or blank) what has outlived its kind's retention, `batch` rows a transaction; how many rows of
    each kind went. Small transactions keep the store's write lock short: on SQLite every chat turn waits
    for it, and the first purge of a store that kept everything for a year has months to delete."""
    purged: dict[str, int] = {}
    for kind, expiry in expiries(retention, now).items():
        purged[kind] = 0
        while True:
            rows = await database.write.run(functools.partial(_one_batch, expiry, batch))
            purged[kind] += rows
            if rows < batch:
                break
    return purged


def _one_batch(expiry: Expiry, batch: int, conn: Connection) -> int:
    table = expiry.key.class_
    chosen = select(expiry.key).where(expiry.expired).limit(batch).scalar_subquery()
    if expiry.blank is None:
        statement: Delete | Update = delete(table).where(expiry.key.in_(chosen))
    else:
        statement = update(table).where(expiry.key.in_(chosen)).values(expiry.blank)
    return int(conn.execute(statement).rowcount or 0)
