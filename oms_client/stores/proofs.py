"""Judging proofs in SQL: the caps and the judgement in one transaction, and what a proof opens.

Counting failures, judging the guess and recording the outcome happen in one write transaction that
holds the guessed order's (and the guesser's) lock, so a burst of guesses is judged one after another:
the tenth failure closes the order to the eleventh guess however many arrive at once. SQLite needs no
lock of its own: its write transactions (BEGIN IMMEDIATE) already run one at a time, across processes
too. PostgreSQL takes transaction-scoped advisory locks, always in the same order (user, address, order),
so two judgements never wait on each other in a circle.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, bindparam, false, func, insert, or_, select

from oms_client.domain import Platform, order_key
from oms_client.proofs import Guess, GuessLimits, Judgement, Outcome, Proof
from oms_client.sql import models as m
from oms_client.sql.audit import audit_row
from oms_client.sql.database import conflict_insert
from oms_client.store import ChatUser

_FAILURES, _ORDERS, _BINDINGS = m.VerificationFailureRow, m.OrderRow, m.ChatBindingRow
ORDER_NO_CHARS = 40
# Every customer turn asks it, so it is built once (keying a statement costs more than running it).
PROOFS = select(_BINDINGS.customer_id, _BINDINGS.receiver_phone).where(
    _BINDINGS.channel == bindparam("proof_channel"), _BINDINGS.user_id == bindparam("proof_user")
)


def judge(
    conn: Connection, user: ChatUser, guess: Guess, client: str | None, limits: GuessLimits, now: datetime
) -> Judgement:
    """Judge one guess under the caps; a right one binds the user to what it proved (same transaction)."""
    order_no = guess.order_no[:ORDER_NO_CHARS]
    _lock(conn, user, client, order_no)
    locked = _locked(conn, user, client, order_no, guess, limits, now)
    if locked is not None:
        return Judgement(locked)
    found = conn.execute(
        select(_ORDERS.platform, _ORDERS.customer_id, _ORDERS.receiver_phone).where(_ORDERS.order_no == order_no)
    ).all()
    match = next((row for row in found if guess.fits(row.receiver_phone)), None)
    if match is None:
        failure = {"channel": user.channel, "user_id": user.user_id, "order_no": order_no, "client": client,
                   "whole_phone": guess.whole_phone, "at": now}  # fmt: skip
        conn.execute(insert(_FAILURES), [failure])
        return Judgement(_locked(conn, user, client, order_no, guess, limits, now) or Outcome.FAILED)
    proof = Proof(match.customer_id, match.receiver_phone)
    _bind(conn, user, proof, now)
    subject = ("order", order_key(match.platform, order_no))
    conn.execute(insert(m.AuditLogRow), [audit_row(user.key, "chat_verified", subject, {"channel": user.channel}, now)])
    return Judgement(Outcome.VERIFIED, Platform(match.platform), proof)


def proofs_of(conn: Connection, user: ChatUser) -> frozenset[Proof]:
    rows = conn.execute(PROOFS, {"proof_channel": user.channel, "proof_user": user.user_id}).all()
    return frozenset(Proof(row.customer_id, row.receiver_phone) for row in rows)


def lock_state(
    conn: Connection, user: ChatUser, order_no: str, client: str | None, limits: GuessLimits, now: datetime
) -> Outcome | None:
    """Whether a phone tail for this order would be refused now: asked before asking the customer for one."""
    return _locked(conn, user, client, order_no[:ORDER_NO_CHARS], Guess(order_no, ""), limits, now)


def opened_by(proofs: Collection[Proof]) -> ColumnElement[bool]:
    """The orders these proofs open, as a WHERE clause (nothing for no proofs)."""
    if not proofs:
        return false()
    return or_(*(and_(_ORDERS.customer_id == p.customer_id, _ORDERS.receiver_phone == p.phone) for p in proofs))


def _lock(conn: Connection, user: ChatUser, client: str | None, order_no: str) -> None:
    if conn.dialect.name != "postgresql":
        return
    keys = [f"proof-user:{user.key}", *([f"proof-client:{client}"] if client else []), f"proof-order:{order_no}"]
    for key in keys:
        conn.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))


def _locked(
    conn: Connection,
    user: ChatUser,
    client: str | None,
    order_no: str,
    guess: Guess,
    limits: GuessLimits,
    now: datetime,
) -> Outcome | None:
    hour_ago = now - timedelta(hours=1)
    by_user = and_(_FAILURES.channel == user.channel, _FAILURES.user_id == user.user_id, _FAILURES.at >= hour_ago)
    if _count(conn, by_user) >= limits.per_user_per_hour:
        return Outcome.LOCKED
    if guess.whole_phone:
        return None
    by_client = and_(_FAILURES.client == client, _FAILURES.at >= hour_ago)
    if client and _count(conn, by_client) >= limits.per_client_per_hour:
        return Outcome.TAILS_CLOSED
    day_ago = now - timedelta(days=1)
    tails = and_(_FAILURES.order_no == order_no, _FAILURES.whole_phone == false(), _FAILURES.at >= day_ago)
    return Outcome.TAILS_CLOSED if _count(conn, tails) >= limits.per_order_per_day else None


def _count(conn: Connection, where: ColumnElement[bool]) -> int:
    return int(conn.scalar(select(func.count()).select_from(_FAILURES).where(where)) or 0)


def _bind(conn: Connection, user: ChatUser, proof: Proof, now: datetime) -> None:
    """Proving the same again changes nothing (the unique proof constraint)."""
    row: dict[str, Any] = {"channel": user.channel, "user_id": user.user_id, "customer_id": proof.customer_id,
                           "receiver_phone": proof.phone, "created_at": now}  # fmt: skip
    conn.execute(conflict_insert(conn.dialect.name, _BINDINGS).values(row).on_conflict_do_nothing())
