"""Free-phrase slots: why the customer wants after-sales (`reason`), and what they want instead (`attribute`)."""

from __future__ import annotations

from nlu.normalize import Normalized


def phrase_slots(intent: str, normalized: Normalized, original: str) -> dict[str, str]:
    return {}
