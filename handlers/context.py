"""The conversation a log line belongs to, without passing it through every call."""

from __future__ import annotations

import hashlib
from contextvars import ContextVar

conversation_id: ContextVar[str] = ContextVar("conversation_id", default="-")


def conversation_id_for(user_key: str) -> str:
    """A short stable id: the raw chat user id (a WeChat openid, say) stays out of the logs."""
    return hashlib.sha256(user_key.encode()).hexdigest()[:12]
