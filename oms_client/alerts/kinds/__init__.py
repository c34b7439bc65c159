"""Every alert kind the scans raise, registered in one place.

Adding a kind: its module here (query, limits, whether customers hear of it), one line in `SCANS` (and its
limits among `ScanLimits`' bases), and its wording in `handlers/staff/alert_texts` (and, when customers hear
of it, `handlers/notices/delay_texts`).
"""

from __future__ import annotations

from oms_client.alerts.kinds import aftersales, events, handoffs, oversell, review, shipping, transit
from oms_client.alerts.kinds.base import Finding, FindingRows, Scan, ScanInput, Told

SCANS: tuple[Scan, ...] = (
    oversell.SCAN,
    shipping.OVERDUE,
    shipping.DUE_SOON,
    review.SCAN,
    transit.SCAN,
    transit.PREDICTED,
    aftersales.SCAN,
    handoffs.SCAN,
    events.SCAN,
)
ALERT_KINDS = tuple(kind for scan in SCANS for kind in scan.kinds)


class ScanLimits(
    shipping.ShippingLimits,
    transit.TransitLimits,
    aftersales.AftersalesLimits,
    handoffs.HandoffLimits,
    events.EventLimits,
):
    """Every kind's thresholds in the one flat table `[alerts.thresholds]` is."""


def told(subject: Told) -> tuple[str, ...]:
    """The kinds whose customers hear of them, by what the alert's subject names."""
    return tuple(kind for scan in SCANS for kind, what in scan.told.items() if what == subject)


__all__ = ["ALERT_KINDS", "SCANS", "Finding", "FindingRows", "ScanInput", "ScanLimits", "told"]
