"""The audit log's row, one shape for every writer (the store's own calls and alert handling)."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def audit_row(
    actor: str, action: str, subject: tuple[str, str], detail: dict[str, Any], at: datetime
) -> dict[str, Any]:
    """Times in `detail` are kept as ISO text: the column is JSON."""
    clean = {key: value.isoformat() if isinstance(value, datetime) else value for key, value in detail.items()}
    return {
        "at": at,
        "actor": actor[:80],
        "action": action,
        "subject_type": subject[0],
        "subject_id": subject[1][:40],
        "detail": clean,
    }
