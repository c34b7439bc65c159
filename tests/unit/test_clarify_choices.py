import pytest

import nlu
from handlers.dialogue import INTENT_CHOICES
from handlers.turn import CLARIFY_BELOW


@pytest.mark.parametrize("intent", sorted(INTENT_CHOICES))
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_clarifying_button_is_understood_as_its_intent(intent: str, lang: str) -> None:
    parsed = nlu.parse(INTENT_CHOICES[intent][lang])
    assert parsed.intent == intent and parsed.confidence >= CLARIFY_BELOW, parsed
