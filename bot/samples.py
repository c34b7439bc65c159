"""The sample orders a newcomer can try, as `xiaoer seed` and `xiaoer chat` print them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from handlers.texts import COURIER_NAMES, PLATFORM_NAMES, STATE_NAMES, name_of
from oms_client.domain import OrderState, Platform, SampleOrder


def samples_as_json(samples: Sequence[SampleOrder]) -> list[dict[str, Any]]:
    return [
        {
            "platform": str(s.platform),
            "order_id": s.order_id,
            "state": str(s.state),
            "phone_tail": s.phone_tail,
            "courier": name_of(COURIER_NAMES, s.courier, "zh") if s.courier else None,
            "tracking_no": s.tracking_no,
        }
        for s in samples
    ]


def samples_as_text(samples: Sequence[SampleOrder]) -> str:
    lines = ["可以试试这些订单（平台 · 订单号 · 状态 · 收货手机尾号 · 运单）："]
    for s in samples:
        parcel = f"{name_of(COURIER_NAMES, s.courier, 'zh')} {s.tracking_no}" if s.courier else "—"
        note = f"（{s.note}）" if s.note else ""
        lines.append(
            f"  {name_of(PLATFORM_NAMES, s.platform, 'zh')}  {s.order_id}  "
            f"{name_of(STATE_NAMES, s.state, 'zh')}{note}  尾号{s.phone_tail}  {parcel}"
        )
    lines.append("例如输入：订单 " + (samples[0].order_id if samples else "…") + " 到哪了")
    return "\n".join(lines)


def samples_from_meta(value: dict[str, Any] | None) -> list[SampleOrder]:
    return [
        SampleOrder(**(item | {"platform": Platform(item["platform"]), "state": OrderState(item["state"])}))
        for item in (value or {}).get("samples", [])
    ]
