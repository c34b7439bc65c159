"""What the dialogue tells whoever watches the bot at work (the operators' /metrics): what each message was read
as, each hand-off and each proof of identity. Labels only — an intent, a reason, an outcome — never a chat, an
order or a phone, so no personal data leaves through it."""

from __future__ import annotations

from typing import Protocol


class TurnObserver(Protocol):
    def parsed(self, intent: str, confident: bool) -> None: ...

    def handed_off(self, reason: str) -> None: ...

    def proved(self, outcome: str) -> None: ...


class Unobserved:
    """Nobody watching: the dialogue in tests and in the console."""

    def parsed(self, intent: str, confident: bool) -> None:
        pass

    def handed_off(self, reason: str) -> None:
        pass

    def proved(self, outcome: str) -> None:
        pass
