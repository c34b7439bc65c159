"""Pattern extractors for order numbers, waybills, couriers and phone tails.

A digit string is classified once, by its shape, so it is never both an order number and a waybill.
Values are returned as written in the original text (full-width digits stay full-width).
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"(?<![0-9a-z])([a-z]{0,3}[0-9]{6,19}(?:-[0-9]{15})?(?:cn)?)(?![0-9a-z])")
_TAIL = re.compile(r"(?:尾号|后四位|后4位|末四位|末4位|tail|last 4|last four)\D{0,4}([0-9]{4})(?![0-9])")
_BARE_TAIL = re.compile(r"^\s*([0-9]{4})\s*$")
_COURIERS = {
    "顺丰": "顺丰",
    "sf express": "SF Express",
    "中通": "中通",
    "圆通": "圆通",
    "韵达": "韵达",
    "申通": "申通",
    "极兔": "极兔",
    "ems": "EMS",
    "邮政": "邮政",
    "京东快递": "京东快递",
    "京东物流": "京东物流",
    "德邦": "德邦",
}

_WAYBILL_SHAPES = [
    re.compile(r"sf[0-9]{12,13}"),
    re.compile(r"yt[0-9]{13}"),
    re.compile(r"jt[0-9]{13}"),
    re.compile(r"jd[xv][0-9]{12}"),
    re.compile(r"e[a-z][0-9]{9}cn"),
    re.compile(r"773[0-9]{12}"),
    re.compile(r"7[0-9]{11,13}"),
    re.compile(r"(?:3|4)[0-9]{12,14}"),
]
_ORDER_SHAPES = [
    re.compile(r"[0-9]{6}-[0-9]{15}"),  # Pinduoduo
    re.compile(r"[1-9][0-9]{17,18}"),  # Taobao/Tmall, Douyin, WeChat shop
    re.compile(r"[23][0-9]{10,11}"),  # JD
    re.compile(r"pos[0-9]{14}"),
]


def classify_number(token: str) -> str | None:
    """'order_id', 'tracking_no' or None for a normalised token."""
    if any(shape.fullmatch(token) for shape in _ORDER_SHAPES):
        return "order_id"
    if any(shape.fullmatch(token) for shape in _WAYBILL_SHAPES):
        return "tracking_no"
    return None


def extract_slots(normalized: str, original: str) -> dict[str, str]:
    slots: dict[str, str] = {}
    for match in _TOKEN.finditer(normalized):
        start, end = match.span(1)
        kind = classify_number(match.group(1))
        if kind is None:  # "no.4102…" or "单号sf…": try without the letters in front
            start = end - len(match.group(1).lstrip("abcdefghijklmnopqrstuvwxyz"))
            kind = classify_number(normalized[start:end])
        if kind and kind not in slots:
            slots[kind] = _original_span(original, normalized, start, end)
    tail = _TAIL.search(normalized) or _BARE_TAIL.match(normalized)
    if tail:
        slots["phone_tail"] = _original_span(original, normalized, tail.start(1), tail.end(1))
    for word, name in _COURIERS.items():
        if word in normalized:
            slots["courier"] = name
            break
    return slots


def _original_span(original: str, normalized: str, start: int, end: int) -> str:
    """The text as the user wrote it, when normalisation kept the length; else the normalised form."""
    stripped = original.strip()
    if len(stripped) == len(normalized):
        return stripped[start:end]
    return normalized[start:end].upper() if normalized[start:end].isascii() else normalized[start:end]
