"""The shop's own report tables (定制化报表), defined in its config without code: a name, a grouping and measures
from fixed lists, as `[[report.tables]]` entries. A measure that its grouping cannot split (refunds by courier)
is refused when the config is read, with the combinations that work."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Grouping = Literal["platform", "sku", "courier", "province", "reason", "agent"]
Measure = Literal["orders", "amount", "units", "parcels", "troubled_parcels", "signed_parcels", "cases",
                  "handoffs"]  # fmt: skip

# What each measure counts, and the groupings its rows carry.
SOURCES: dict[str, tuple[str, frozenset[str]]] = {
    "orders": ("orders", frozenset({"platform", "sku", "province"})),
    "amount": ("orders", frozenset({"platform", "sku", "province"})),
    "units": ("orders", frozenset({"platform", "sku", "province"})),
    "parcels": ("parcels", frozenset({"platform", "courier", "province"})),
    "troubled_parcels": ("parcels", frozenset({"platform", "courier", "province"})),
    "signed_parcels": ("parcels", frozenset({"platform", "courier", "province"})),
    "cases": ("cases", frozenset({"platform", "sku", "reason"})),
    "handoffs": ("handoffs", frozenset({"reason", "agent"})),
}
NAMES = {"orders": "订单数", "amount": "金额", "units": "件数", "parcels": "包裹数", "troubled_parcels": "异常包裹",
         "signed_parcels": "已签收", "cases": "售后申请", "handoffs": "转人工"}  # fmt: skip


class CustomTable(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=40)
    group_by: Grouping
    measures: tuple[Measure, ...] = Field(min_length=1, max_length=8)
    top: int = Field(default=20, ge=1, le=500)  # rows shown, largest first by the first measure

    @model_validator(mode="after")
    def _splittable(self) -> CustomTable:
        for measure in self.measures:
            groupings = SOURCES[measure][1]
            if self.group_by not in groupings:
                raise ValueError(
                    f"table {self.name!r}: {measure} cannot be grouped by {self.group_by} "
                    f"(it can by {', '.join(sorted(groupings))})"
                )
        return self
