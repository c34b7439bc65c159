"""How long chat data is kept (PIPL: no longer than the purpose needs), and the purge that enforces it.

Order and case records are kept: they are the shop's books. What a chat leaves behind is not: the raw
deliveries and the replies are needed for days (redeliveries, pacing, a reply window, a dispute), the
transcript an agent reads and the pictures of a case for months, a proof of ownership until the
customer is unlikely to come back. Each kind has its own number of days in the shop config's `[privacy]`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, Delete, Text, Update, cast, delete, update

from oms_client import models as m
from oms_client.database import Database

# Failed proofs count for a day at most, and budgets for an hour: older rows only take space.
GUESSES_KEPT = timedelta(days=2)
BUDGETS_KEPT = timedelta(days=2)
# A web upload no message used is deleted after this (a visitor who picked a picture and left).
UNUSED_UPLOADS_KEPT = timedelta(hours=1)


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


def purge_statements(retention: Retention, now: datetime) -> dict[str, Delete | Update]:
    """What each kind's purge runs, by the name the purge reports it under."""
    days = timedelta(days=1)
    inbox, out, media, handoff = m.InboxRow, m.OutgoingRow, m.MediaRow, m.HandoffRow
    finished = out.sent_at.is_not(None) | out.failed_at.is_not(None)
    return {
        "inbox": delete(inbox).where(
            inbox.handled_at.is_not(None), inbox.received_at < now - retention.raw_payload_days * days
        ),
        "outgoing": delete(out).where(finished, out.created_at < now - retention.reply_days * days),
        "notices": delete(m.CustomerNoticeRow).where(
            m.CustomerNoticeRow.created_at < now - retention.reply_days * days
        ),
        "conversations": delete(m.ConversationRow).where(
            m.ConversationRow.updated_at < now - retention.transcript_days * days
        ),
        "handoff_summaries": update(handoff)
        .where(handoff.ended_at < now - retention.transcript_days * days, cast(handoff.summary, Text) != "{}")
        .values(summary={}),
        "pictures": delete(media).where(media.created_at < now - retention.picture_days * days),
        "unused_uploads": delete(media).where(media.used_at.is_(None), media.created_at < now - UNUSED_UPLOADS_KEPT),
        "bindings": delete(m.ChatBindingRow).where(m.ChatBindingRow.created_at < now - retention.binding_days * days),
        "failed_proofs": delete(m.VerificationFailureRow).where(m.VerificationFailureRow.at < now - GUESSES_KEPT),
        "budgets": delete(m.BudgetRow).where(m.BudgetRow.window_start < now - BUDGETS_KEPT),
    }


async def purge(database: Database, retention: Retention, now: datetime) -> dict[str, int]:
    """Delete what has outlived its kind's retention; how many rows of each kind went."""

    def run(conn: Connection) -> dict[str, int]:
        return {kind: _rows(conn.execute(statement)) for kind, statement in purge_statements(retention, now).items()}

    return await database.write.run(run)


def _rows(result: Any) -> int:
    return int(result.rowcount or 0)
