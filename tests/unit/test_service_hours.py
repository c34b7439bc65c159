"""When people answer chats: open or not, the next opening (across closed days), and how it reads."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from pydantic import ValidationError

from handlers.handoff.service_hours import ServiceHours
from tests.conftest import SHANGHAI

WEEKDAYS = ServiceHours(opens=time(9, 0), closes=time(18, 0), days=(1, 2, 3, 4, 5))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)  # 2026-11-20 is a Friday


def test_people_are_there_only_on_their_days_between_opening_and_closing() -> None:
    assert WEEKDAYS.is_open(at(20, 9), SHANGHAI) and WEEKDAYS.is_open(at(20, 17, 59), SHANGHAI)
    assert not WEEKDAYS.is_open(at(20, 18), SHANGHAI) and not WEEKDAYS.is_open(at(21, 10), SHANGHAI)


def test_the_next_opening_skips_the_closed_days() -> None:
    assert WEEKDAYS.next_open(at(20, 20), SHANGHAI) == at(23, 9)  # Friday night → Monday 09:00
    assert WEEKDAYS.next_open(at(23, 7), SHANGHAI) == at(23, 9)
    assert WEEKDAYS.next_open(at(23, 10), SHANGHAI) == at(23, 10)  # open now: now


def test_the_hours_read_as_customers_expect() -> None:
    assert ServiceHours().describe("zh") == "每天 09:00–22:00"
    assert WEEKDAYS.describe("zh") == "周一至周五 09:00–18:00"
    assert WEEKDAYS.describe("en") == "Mon–Fri 09:00–18:00"
    assert ServiceHours(days=(1, 3, 5)).describe("zh") == "周一、周三、周五 09:00–22:00"


@pytest.mark.parametrize("bad", [{"opens": time(18, 0), "closes": time(9, 0)}, {"days": (0, 8)}, {"days": ()}])
def test_impossible_hours_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ServiceHours.model_validate(bad)
