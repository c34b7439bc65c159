"""Intent and slot extraction: pure functions, no I/O, safe to call from any thread."""

from __future__ import annotations

from nlu.normalize import detect_lang, normalize
from nlu.rules import score_intents
from nlu.slots import extract_slots
from nlu.types import INTENTS, SLOTS, Parse

MAX_PARSE_CHARS = 2_000

__all__ = ["INTENTS", "SLOTS", "Parse", "detect_lang", "parse"]


def parse(text: str) -> Parse:
    """Understand one customer message; never raises, whatever the input."""
    text = text[:MAX_PARSE_CHARS]
    normalized = normalize(text)
    slots = extract_slots(normalized, text)
    scored = score_intents(normalized)
    intent, confidence = scored[0]
    if intent == "other" and ("order_id" in slots or "tracking_no" in slots):
        intent, confidence = ("logistics", 0.5) if "tracking_no" in slots else ("order_status", 0.5)
    return Parse(
        intent=intent,
        confidence=confidence,
        slots=slots,
        lang=detect_lang(normalized) or "zh",
        alternatives=tuple(scored[1:3]),
    )
