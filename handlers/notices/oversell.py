"""The messages of the oversell loop the bot writes first: the offer of choices, and the restock for those who
waited. Their buttons send back what `oms_client.oversell.read_answer` reads."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.messages import Button, Reply
from handlers.order_view import local_date
from handlers.texts import PLATFORM_NAMES, name_of, say
from oms_client.oversell import Choice, OversellOffer, payload


def offer_notice(offer: OversellOffer, lang: str, zone: ZoneInfo, asked: bool = False) -> Reply:
    """The news and the choices: written first after a scan, or following the answer to a question about the order
    (`asked`, without the greeting of a message nobody asked for)."""
    platform = name_of(PLATFORM_NAMES, offer.platform, lang)
    facts = {"order_no": offer.order_no, "platform": platform, "title": offer.title, "qty": offer.qty}
    news = say("os_oversold", lang, **facts)
    lines = [
        news if asked else say("os_unasked", lang) + news,
        restock_line(offer.restock_at, lang, zone),
        say("os_choose", lang),
    ]
    return Reply("\n".join(lines), choices(offer, lang))


def choices(offer: OversellOffer, lang: str) -> tuple[Button, ...]:
    """Wait, each variant with stock to spare, cancel."""
    wait = Button(say("os_btn_wait", lang), payload(offer.id, Choice.WAIT))
    switch = [Button(say("os_btn_switch", lang, title=v.title), payload(offer.id, Choice.SWITCH, v.sku))
              for v in offer.variants]  # fmt: skip
    return wait, *switch, Button(say("os_btn_cancel", lang), payload(offer.id, Choice.CANCEL))


def restock_line(restock_at: datetime | None, lang: str, zone: ZoneInfo) -> str:
    if restock_at is None:
        return say("os_restock_unknown", lang)
    return say("os_restock_at", lang, date=local_date(restock_at, lang, zone))


def restock_notice(offer: OversellOffer, lang: str) -> Reply:
    return Reply(say("os_restocked", lang, title=offer.title, order_no=offer.order_no))
