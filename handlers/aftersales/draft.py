"""An after-sales request being taken down in chat, and how the customer's answers are read into it.

The draft lives in the conversation state, so a request half told survives a restart; nothing reaches the
store until the customer confirms. Reading is forgiving (a button's label, a number, the customer's own
words) because every question the bot repeats costs a customer's patience.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from handlers.aftersales.policy import Reason
from handlers.aftersales.texts import REASON_NAMES
from handlers.intents import Skill, intents_of
from handlers.state import known_fields
from nlu.normalize import normalize
from oms_client.domain import OrderLine

REQUESTS = intents_of(Skill.REQUEST)
# Requests about goods the customer has: they name items and a reason.
GOODS_REQUESTS = ("return_refund", "exchange", "refund_only")
MAX_PHOTOS = 6


@dataclass
class Draft:
    request: str
    order_no: str | None = None
    platform: str | None = None
    step: str = "order"  # order, items, reason, attribute, photos, address, confirm
    skus: list[str] = field(default_factory=list)
    reason: str | None = None  # a Reason value
    words: str = ""  # the customer's own words for the reason
    attribute: str | None = None
    photos: list[str] = field(default_factory=list)
    address: str | None = None
    misses: int = 0  # answers in a row the bot could not use

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Draft:
        return cls(**known_fields(cls, data))


# Most specific first: "破了没法用" is damage before it is quality.
_REASON_WORDS: tuple[tuple[Reason, tuple[str, ...]], ...] = (
    (Reason.NOT_RECEIVED, ("没收到", "没有收到", "未收到", "没拿到", "never received", "not received",
                           "didn't arrive")),
    (Reason.MISSING, ("少发", "漏发", "少件", "少了", "缺", "没给", "missing")),
    (Reason.WRONG_ITEM, ("发错", "错发", "不是我买的", "货不对", "wrong item", "wrong one")),
    (Reason.DAMAGED, ("破", "碎", "裂", "压坏", "压扁", "漏", "damaged", "broken", "cracked")),
    (Reason.WRONG_SIZE, ("大了", "小了", "尺码", "码数", "不合适", "偏大", "偏小", "太紧", "太松", "size", "too big",
                         "too small", "doesn't fit", "does not fit")),
    (Reason.NOT_AS_DESCRIBED, ("色差", "不符", "不一样", "描述", "not as described", "different")),
    (Reason.QUALITY, ("质量", "坏了", "不能用", "用不了", "瑕疵", "起球", "掉色", "开线", "不灵", "故障", "defective",
                      "not working", "quality", "faulty")),
    (Reason.NO_REASON, ("无理由", "不想要", "不喜欢", "拍错", "不要了", "买多了", "changed my mind", "don't want",
                        "don't like", "no reason")),
)  # fmt: skip
_LEAVE_EXACT = {"取消", "取消申请", "不退了", "不换了", "不申请了", "cancel", "never mind", "nevermind", "forget it",
                "stop"}  # fmt: skip
_LEAVE_START = ("算了", "不用了", "不弄了", "never mind", "forget it")
_YES = {"确认", "确认提交", "确定", "提交", "是", "是的", "对", "好", "好的", "可以", "嗯", "ok", "yes", "y", "confirm",
        "file it", "sure"}  # fmt: skip
_ALL = ("全部", "都", "所有", "all", "both", "everything")
_PLACE = re.compile(r"[省市区县镇乡街路道巷弄村号栋楼室]|\d+\s*\w+\s+(?:rd|road|st|street|ave|avenue|lane|district)\b")


def _plain(text: str) -> str:
    return normalize(text).text.strip(" 。.!！~～")


def is_leaving(text: str) -> bool:
    """ "算了/不用了/取消" leave a request at any step, and nothing is filed."""
    plain = _plain(text)
    return plain in _LEAVE_EXACT or plain.startswith(_LEAVE_START)


def is_yes(text: str) -> bool:
    return _plain(text) in _YES


def read_reason(text: str) -> Reason | None:
    """A reason from a button's label (either language) or from the customer's own words."""
    plain = _plain(text)
    for reason, names in REASON_NAMES.items():
        if plain in (names["zh"].lower(), names["en"].lower()):
            return Reason(reason)
    return next((reason for reason, words in _REASON_WORDS if any(word in plain for word in words)), None)


def read_items(text: str, lines: Sequence[OrderLine]) -> list[str] | None:
    """The SKUs meant by "1", "第2件", "全部" or part of an item's title; None when nothing matches."""
    plain = _plain(text)
    if any(plain.startswith(word) for word in _ALL):
        return [line.sku for line in lines]
    digits = re.fullmatch(r"(?:第)?\s*([0-9]{1,2})\s*(?:件|个|号)?", plain)
    if digits and 1 <= int(digits.group(1)) <= len(lines):
        return [lines[int(digits.group(1)) - 1].sku]
    named = [line.sku for line in lines if plain and (plain in line.title.lower() or line.title.lower() in plain)]
    return named or None


def looks_like_address(text: str) -> bool:
    """Enough of an address for a warehouse: a place word and a little length, not a whole essay."""
    stripped = text.strip()
    return 6 <= len(stripped) <= 200 and _PLACE.search(stripped.lower()) is not None
