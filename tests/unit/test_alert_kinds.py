"""The alert kinds are registered once, and each registered kind is worded for the people who read it."""

from __future__ import annotations

from handlers.notices.delay_texts import DELAY_TEXTS
from handlers.staff.alert_texts import WORDING
from oms_client.alerts.kinds import ALERT_KINDS, ScanLimits, told


def test_every_alert_kind_is_worded_for_staff() -> None:
    assert set(WORDING) == set(ALERT_KINDS)


def test_every_kind_customers_hear_of_has_a_notice_in_both_languages() -> None:
    for kind in told("order") + told("parcel"):
        assert set(DELAY_TEXTS[f"dn_{kind}"]) == {"zh", "en"}


def test_kinds_are_unique() -> None:
    assert len(set(ALERT_KINDS)) == len(ALERT_KINDS)


def test_thresholds_keep_one_flat_table_with_each_kinds_defaults() -> None:
    limits = ScanLimits.model_validate({"stall_hours": {"SF": 12}, "aftersales_sla_hours": 6})
    assert limits.stall_hours == {"SF": 12.0}
    assert limits.aftersales_sla_hours == 6.0
    assert limits.handoff_wait_minutes == 10.0
    assert limits.ship_sla_hours == {"jd": 24.0}
