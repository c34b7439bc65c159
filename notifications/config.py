"""The alert part of the shop configuration (`[alerts]` in XIAOER_SHOP_CONFIG), with working defaults."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

from oms_client.alerting import Route, Routing
from oms_client.alerts.kinds import ScanLimits

Severity = Literal["info", "warning", "critical"]

# Messages per minute each kind of target accepts: WeCom's group robot allows 20; Telegram about 20 per
# group per minute and one per second in a private chat; WeCom app messages are far more generous.
PER_MINUTE = {"wecom_robot": 20, "telegram_group": 20, "telegram": 60, "wecom_app": 60}
ADDRESS_FIELD = {"wecom_robot": "key", "wecom_app": "to_user", "telegram": "chat_id"}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Target(Strict):
    """One place alerts are pushed to: a WeCom group robot, WeCom app users, or a Telegram chat."""

    name: str = Field(min_length=1, max_length=64)
    kind: Literal["wecom_robot", "wecom_app", "telegram"]
    key: str | None = None  # wecom_robot: the webhook key
    to_user: str | None = None  # wecom_app: "userid1|userid2"
    chat_id: int | None = None  # telegram: a group (negative id) or a person
    min_severity: Severity = "warning"
    per_minute: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _has_address(self) -> Target:
        field = ADDRESS_FIELD[self.kind]
        if getattr(self, field) is None:
            raise ValueError(f"target {self.name!r} ({self.kind}) needs `{field}`")
        return self

    @property
    def is_group(self) -> bool:
        return self.kind == "wecom_robot" or (self.kind == "telegram" and (self.chat_id or 0) < 0)

    def rate_per_minute(self) -> int:
        if self.per_minute is not None:
            return self.per_minute
        if self.kind == "telegram" and self.is_group:
            return PER_MINUTE["telegram_group"]
        return PER_MINUTE[self.kind]

    def min_spacing(self) -> timedelta:
        """Telegram wants about a second between messages to one chat."""
        return timedelta(seconds=1) if self.kind == "telegram" else timedelta(0)


class QuietHours(Strict):
    start: time = time(22, 0)
    end: time = time(8, 0)

    def until(self, now: datetime, zone: ZoneInfo) -> datetime | None:
        """When the quiet period `now` falls in ends, or None outside it."""
        local = now.astimezone(zone)
        clock = local.time()
        inside = (self.start <= clock or clock < self.end) if self.start > self.end else self.start <= clock < self.end
        if not inside:
            return None
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if end <= local:
            end += timedelta(days=1)
        return end


class AlertsConfig(Strict):
    scan_every_minutes: float = Field(default=5.0, gt=0)
    relay_every_seconds: float = Field(default=2.0, gt=0)
    # How long a silent leader keeps the jobs before another process takes over.
    lease_seconds: float = Field(default=30.0, ge=1)
    thresholds: ScanLimits = ScanLimits()
    targets: tuple[Target, ...] = ()
    # Target names an unacknowledged critical alert climbs to, one step per `escalate_after_minutes`.
    escalation: tuple[str, ...] = ()
    escalate_after_minutes: float = Field(default=30.0, gt=0)
    quiet_hours: QuietHours | None = QuietHours()
    # Tell a customer who has chatted with the bot when their own order is late or parcel stuck (once a day).
    tell_customers: bool = True
    max_attempts: int = Field(default=12, ge=1)
    retry_base_seconds: float = Field(default=5.0, gt=0)
    retry_cap_seconds: float = Field(default=300.0, gt=0)

    @model_validator(mode="after")
    def _known_names(self) -> AlertsConfig:
        names = [target.name for target in self.targets]
        if len(set(names)) != len(names):
            raise ValueError("alert target names must be unique")
        unknown = [name for name in self.escalation if name not in names]
        if unknown:
            raise ValueError(f"escalation names unknown targets: {', '.join(unknown)}")
        return self

    def routing(self, now: datetime, zone: ZoneInfo) -> Routing:
        """Targets in the escalation chain (people further up) hear only of what is escalated to them."""
        routes = tuple(Route(t.name, t.min_severity) for t in self.targets if t.name not in self.escalation)
        quiet_until = self.quiet_hours.until(now, zone) if self.quiet_hours else None
        return Routing(routes, quiet_until)

    def target(self, name: str) -> Target | None:
        return next((target for target in self.targets if target.name == name), None)
