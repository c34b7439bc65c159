"""The oversell loop: a customer whose item was sold beyond stock hears it before it is late, and chooses to
wait for the restock, switch to a variant in stock, or cancel with a refund. The values its store and its
dialogue share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from oms_client.domain import OrderInChat


class Choice(StrEnum):
    WAIT = "wait"
    SWITCH = "switch"
    CANCEL = "cancel"


@dataclass(frozen=True)
class Variant:
    """Another variant of the oversold item's product, with stock to spare."""

    sku: str
    title: str


@dataclass(frozen=True)
class OversellOffer(OrderInChat):
    """One order's oversold item and the chat the customer proved the order in; `id` 0 until it is written."""

    id: int
    platform: str
    order_no: str
    sku: str
    title: str
    qty: int
    channel: str
    user_id: str
    restock_at: datetime | None = None
    variants: tuple[Variant, ...] = ()
    choice: Choice | None = None


# A choice as its button sends it: "缺货 17 等待", "缺货 17 换 TS-02", "缺货 17 取消" (short enough for a Telegram
# button's 64 bytes, so the payload itself comes back).
ANSWER = re.compile(r"^缺货 (?P<offer>\d{1,12}) (?:(?P<wait>等待)|(?P<cancel>取消)|换 (?P<sku>\S{1,40}))$")
WORDS = {Choice.WAIT: "等待", Choice.CANCEL: "取消"}


def payload(offer_id: int, choice: Choice, sku: str = "") -> str:
    return f"缺货 {offer_id} 换 {sku}" if choice is Choice.SWITCH else f"缺货 {offer_id} {WORDS[choice]}"


def read_answer(text: str) -> tuple[int, Choice, str] | None:
    """The offer, the choice and the variant a button's payload names; None for anything else."""
    found = ANSWER.match(text.strip())
    if found is None:
        return None
    choice = Choice.WAIT if found["wait"] else Choice.CANCEL if found["cancel"] else Choice.SWITCH
    return int(found["offer"]), choice, found["sku"] or ""
