import pytest

import nlu
from handlers.intents import ROUTES
from handlers.turn import CLARIFY_BELOW
from nlu.types import INTENTS

OFFERED = sorted(intent for intent, known in ROUTES.items() if known.choice)


@pytest.mark.parametrize("intent", OFFERED)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_clarifying_button_is_understood_as_its_intent(intent: str, lang: str) -> None:
    choice = ROUTES[intent].choice
    assert choice is not None
    parsed = nlu.parse(choice[lang])
    assert parsed.intent == intent and parsed.confidence >= CLARIFY_BELOW, parsed


def test_every_intent_the_nlu_knows_has_a_route() -> None:
    assert set(INTENTS) <= set(ROUTES)
