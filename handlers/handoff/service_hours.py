"""When people answer chats (`[service]` in XIAOER_SHOP_CONFIG): outside these hours a hand-off is queued
and the customer is told when someone will be there, instead of waiting in silence."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

DAY_NAMES = {
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}


class ServiceHours(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    opens: time = time(9, 0)
    closes: time = time(22, 0)
    days: tuple[int, ...] = Field(default=(1, 2, 3, 4, 5, 6, 7), min_length=1)  # ISO weekdays, 1 = Monday
    # A hand-off nobody claims this long after a person was expected is ended, and the customer is told, so
    # nobody stays queued for days (the queue's alert has gone to the agents meanwhile).
    give_up_minutes: int = Field(default=120, ge=5, le=7 * 24 * 60)

    @model_validator(mode="after")
    def _sane(self) -> ServiceHours:
        if self.opens >= self.closes:
            raise ValueError("`opens` must be before `closes` (hours past midnight are not supported)")
        if any(day not in range(1, 8) for day in self.days):
            raise ValueError("`days` are ISO weekdays, 1 (Monday) to 7 (Sunday)")
        return self

    def is_open(self, now: datetime, zone: ZoneInfo) -> bool:
        local = now.astimezone(zone)
        return local.isoweekday() in self.days and self.opens <= local.time() < self.closes

    def next_open(self, now: datetime, zone: ZoneInfo) -> datetime:
        """The next moment people are there (`now` itself when they are)."""
        if self.is_open(now, zone):
            return now
        local = now.astimezone(zone)
        for ahead in range(8):
            day = (local + timedelta(days=ahead)).date()
            start = datetime.combine(day, self.opens, tzinfo=zone)
            if day.isoweekday() in self.days and start > local:
                return start
        raise AssertionError("a week always holds an opening day")  # `days` is never empty

    def describe(self, lang: str) -> str:
        """ "每天 09:00–22:00" / "周一至周五 09:00–18:00": what the customer is told."""
        names = DAY_NAMES.get(lang, DAY_NAMES["zh"])
        days = sorted(set(self.days))
        span = f"{self.opens:%H:%M}–{self.closes:%H:%M}"
        if len(days) == 7:
            return f"{'每天' if lang == 'zh' else 'daily'} {span}"
        if days == list(range(days[0], days[-1] + 1)):
            joiner = "至" if lang == "zh" else "–"
            return f"{names[days[0] - 1]}{joiner}{names[days[-1] - 1]} {span}"
        separator = "、" if lang == "zh" else ", "
        return f"{separator.join(names[d - 1] for d in days)} {span}"
