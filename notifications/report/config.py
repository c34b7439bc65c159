"""`[report]` in the shop config: the shop's own tables, and when the report is pushed to ops."""

from __future__ import annotations

from datetime import time

from pydantic import BaseModel, ConfigDict, Field, model_validator

from oms_client.reports.custom import CustomTable


class ReportConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    tables: tuple[CustomTable, ...] = ()
    daily_at: time | None = None  # the day before's report to the ops targets at this time of the shop's day
    weekly_on: int | None = Field(default=None, ge=1, le=7)  # and the week's on this ISO weekday (1 = Monday)
    targets: tuple[str, ...] = ()  # alert targets by name; none named: every target

    @model_validator(mode="after")
    def _named_once(self) -> ReportConfig:
        names = [table.name for table in self.tables]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"report table names must differ: {', '.join(twice)} named more than once")
        return self
