"""Per-conversation memory, persisted by the store after every turn so a restart loses nothing."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

RECENT_TURNS = 6  # lines kept for the person a chat is handed to
RECENT_CHARS = 120


@dataclass
class ConversationState:
    lang: str = "zh"
    awaiting: str | None = None  # "order_id" or "phone_tail": what the bot last asked for
    pending_intent: str | None = None  # what the user wanted when the bot had to ask
    order_no: str | None = None  # the order being talked about
    misses: int = 0  # misunderstood turns in a row
    draft: dict[str, Any] | None = None  # an after-sales request being taken down (aftersales_draft.Draft)
    recent: list[list[str]] = field(default_factory=list)  # [who, text]: the last lines, for a hand-off

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConversationState:
        return cls(**known_fields(cls, data))

    def ask(self, slot: str, intent: str) -> None:
        self.awaiting, self.pending_intent = slot, intent

    def settle(self) -> None:
        self.awaiting = None

    def remember(self, who: str, text: str) -> None:
        """Keep the last lines of the chat, so an agent taking it over sees what was said."""
        line = " ".join(text.split())[:RECENT_CHARS]  # one line each, however the message was laid out
        if line:
            self.recent = [*self.recent, [who, line]][-RECENT_TURNS:]


def known_fields(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """Stored state without keys this version does not know (a newer one wrote them): dropped, not fatal."""
    known = {f.name for f in fields(cls)}
    return {key: value for key, value in data.items() if key in known}
