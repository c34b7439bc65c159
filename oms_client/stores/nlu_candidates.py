"""Messages to learn from (the shop-learning loop): what the bot read without confidence or misread, kept with
their numbers replaced, listed for agents to label, and read back labelled to train the shop's own model."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update

from oms_client.domain import NluCandidate
from oms_client.masking import as_template
from oms_client.sql import models as m
from oms_client.sql.database import Database


class SqlNluCandidates:
    database: Database

    async def keep_nlu_candidate(
        self, chat_key: str, text: str, predicted: str, confidence: float, why: str, now: datetime
    ) -> int:
        row = {"at": now, "chat_key": chat_key, "text": as_template(text)[:500], "predicted": predicted,
               "confidence": round(confidence, 3), "why": why}  # fmt: skip
        async with self.database.write.begin() as conn:
            kept = await conn.execute(insert(m.NluCandidateRow).values(row).returning(m.NluCandidateRow.id))
            return int(kept.scalar_one())

    async def nlu_candidates(self, limit: int = 10) -> list[NluCandidate]:
        """The newest not yet labelled."""
        row = m.NluCandidateRow
        query = select(row).where(row.label.is_(None)).order_by(row.id.desc()).limit(limit)
        async with self.database.read.connect() as conn:
            return [_candidate(found) for found in await conn.execute(query)]

    async def label_nlu_candidate(self, candidate_id: int, intent: str, by: str, now: datetime) -> bool:
        row = m.NluCandidateRow
        async with self.database.write.begin() as conn:
            done = await conn.execute(
                update(row).where(row.id == candidate_id).values(label=intent, labelled_by=by, labelled_at=now)
            )
        return bool(done.rowcount)

    async def labelled_nlu(self) -> list[NluCandidate]:
        row = m.NluCandidateRow
        async with self.database.read.connect() as conn:
            return [_candidate(found) for found in await conn.execute(select(row).where(row.label.is_not(None)))]


def _candidate(row: Any) -> NluCandidate:
    return NluCandidate(row.id, row.text, row.predicted, row.confidence, row.why, row.label)
