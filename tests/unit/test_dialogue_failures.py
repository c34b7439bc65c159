"""One boundary catches every failure of a turn and apologises in the user's language."""

from __future__ import annotations

from typing import Any

import nlu
from handlers.dialogue import Dialogue
from handlers.texts import say
from oms_client.clock import SystemClock
from tests.conftest import SHANGHAI
from tests.helpers import ask


class UnreachableStore:
    """A store whose database has gone away: every call fails the way a dropped connection does."""

    def __getattr__(self, name: str) -> Any:
        async def fail(*args: Any, **kwargs: Any) -> Any:
            raise ConnectionError("database unreachable")

        return fail


async def test_a_store_failure_becomes_an_apology_in_the_users_language(caplog) -> None:
    dialogue = Dialogue(UnreachableStore(), nlu.parse, SystemClock(), SHANGHAI)  # type: ignore[arg-type]
    assert await ask(dialogue, "我的订单到哪了") == say("error", "zh")
    assert await ask(dialogue, "where is my order") == say("error", "en")
    assert "turn failed" in caplog.text
