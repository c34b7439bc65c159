"""The shop configuration: a TOML file named by XIAOER_SHOP_CONFIG, validated, with defaults for the rest."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from bot.couriers import PROVIDERS
from handlers.aftersales.policy import AfterSalesPolicy
from handlers.handoff.service_hours import ServiceHours
from handlers.staff.roster import StaffMember
from notifications.config import AlertsConfig
from notifications.report.config import ReportConfig
from oms_client.review import ReviewRules
from oms_client.stores.retention import Retention


class ShopConfigError(Exception):
    """The file cannot be used; the message says which file and which entry."""


class Tracking(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: str | None = None  # kuaidi100 or kdniao; unset: the first whose settings are given

    @field_validator("provider")
    @classmethod
    def _known(cls, name: str | None) -> str | None:
        if name is not None and name not in PROVIDERS:
            raise ValueError(f"unknown tracking provider {name!r}; known: {', '.join(PROVIDERS)}")
        return name


class ShopConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    alerts: AlertsConfig = AlertsConfig()
    aftersales: AfterSalesPolicy = AfterSalesPolicy()
    service: ServiceHours = ServiceHours()  # when people answer hand-offs
    staff: tuple[StaffMember, ...] = ()
    privacy: Retention = Retention()  # how long each kind of chat data is kept
    tracking: Tracking = Tracking()  # which parcel tracking provider the shop uses
    review: ReviewRules = ReviewRules()  # when a new paid order waits for a person before it ships (自动审单)
    report: ReportConfig = ReportConfig()  # the shop's own report tables, and when the report is pushed

    @model_validator(mode="after")
    def _report_targets_known(self) -> ShopConfig:
        known = {target.name for target in self.alerts.targets}
        unknown = [name for name in self.report.targets if name not in known]
        if unknown:
            raise ValueError(f"[report] targets names unknown alert targets: {', '.join(unknown)}")
        return self


def load_shop_config(path: Path | None) -> ShopConfig:
    if path is None:
        return ShopConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return ShopConfig.model_validate(data)
    except OSError as error:
        raise ShopConfigError(f"cannot read shop configuration {path}: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise ShopConfigError(f"{path} is not valid TOML: {error}") from error
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise ShopConfigError(f"{path}: {problems}") from error
