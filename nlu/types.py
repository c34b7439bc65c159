"""What the NLU hands to the dialogue."""

from __future__ import annotations

from dataclasses import dataclass, field

INTENTS = (
    "order_status",
    "urge_shipping",
    "logistics",
    "return_refund",
    "exchange",
    "refund_only",
    "cancel_order",
    "change_address",
    "human_agent",
    "complaint",
    "greeting",
    "other",
)
SLOTS = ("order_id", "tracking_no", "courier", "phone_tail", "reason", "attribute")


@dataclass(frozen=True)
class Parse:
    intent: str
    confidence: float
    slots: dict[str, str] = field(default_factory=dict)
    lang: str = "zh"
    alternatives: tuple[tuple[str, float], ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {"intent": self.intent, "confidence": round(self.confidence, 3), "slots": self.slots, "lang": self.lang}
