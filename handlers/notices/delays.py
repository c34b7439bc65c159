"""What a customer is told, unasked, when their order is late or their parcel stuck: what is wrong, that
someone is on it, and what they can do (see their orders, talk to a person). One message per chat, listing
each of their orders the scans flagged."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from handlers.messages import Reply
from handlers.texts import COURIER_NAMES, PLATFORM_NAMES, echo_button, name_of, say
from oms_client.alerting import Delay


def delay_notice(delays: Sequence[Delay], lang: str, now: datetime) -> Reply:
    lines = [say("dn_header", lang), *(_line(delay, lang, now) for delay in delays), say("dn_footer", lang)]
    return Reply("\n".join(lines), (echo_button("btn_orders", lang), echo_button("btn_human", lang)))


def _line(delay: Delay, lang: str, now: datetime) -> str:
    platform = name_of(PLATFORM_NAMES, delay.platform, lang)
    courier = name_of(COURIER_NAMES, delay.courier or "", lang)
    silent = now - datetime.fromisoformat(delay.detail.get("last_event_at", now.isoformat()))
    out = now - datetime.fromisoformat(delay.detail.get("shipped_at", now.isoformat()))
    return say(
        f"dn_{delay.kind}",
        lang,
        order_no=delay.order_no,
        platform=platform,
        courier=courier,
        tracking_no=delay.tracking_no or "",
        hours=int(silent.total_seconds() // 3600),
        event=delay.detail.get("last_event", ""),
        days_out=f"{out.total_seconds() / 86400:.1f}",
        usual_days=f"{delay.detail.get('usual_hours', 0) / 24:.1f}",
    )
