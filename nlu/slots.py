"""Slot extractors: order numbers, waybills, couriers, phone tails, reasons and wanted attributes.

A digit string is classified once, by its shape, so it is never both an order number and a waybill.
Values are returned exactly as the customer wrote them (full-width digits stay full-width); what the
store compares is their `canonical` form.
"""

from __future__ import annotations

import re
import unicodedata

from nlu.lexicon import COURIER_NAMES
from nlu.normalize import Normalized

_TOKEN = re.compile(r"(?<![0-9a-z])([a-z]{0,3}[0-9]{6,19}(?:-[0-9]{15})?(?:cn)?)(?![0-9a-z])")
_TAIL = re.compile(
    r"(?:尾号|后四位|后4位|末四位|末4位|尾数|手机号?后四位|tail|last 4(?: digits)?|last four(?: digits)?)"
    r"[^0-9]{0,4}([0-9](?:[ -]?[0-9]){3})(?![0-9])"  # "8000", and "8 0 0 0" as some read it out
)
# A number read out in groups ("3891 2044 5566 7701 123", "sf 1402-2877-6553-2"): three or more groups of three
# to five digits (a Pinduoduo number's 6-15 and a sentence's "2 件 3 天" never match), spaces or dashes between.
_GROUPED = re.compile(r"(?<![0-9a-z])((?:[a-z]{1,3}[ -]?)?[0-9]{3,5}(?:[ -][0-9]{1,5}){2,})(?![0-9a-z])")
_SEPARATORS = re.compile(r"[ -]")
_PINDUODUO = re.compile(r"[0-9]{6}-[0-9]{15}")
_BARE_TAIL = re.compile(r"^([0-9]{4})$")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LONE_MOBILE = re.compile(rf"(?<![0-9])({_MOBILE.pattern})(?![0-9])")
_NOT_IN_A_NUMBER = re.compile(r"[^0-9A-Z-]")
_ORDER_CONTEXT = re.compile(r"订单|order")
_COURIER = re.compile("|".join(re.escape(name.lower()) for name in COURIER_NAMES))

# Each courier's waybill shape, most specific first (STO's 773… before ZTO's 7…).
_WAYBILLS = [
    (re.compile(r"sf[0-9]{12,13}"), "SF"),
    (re.compile(r"yt[0-9]{13}"), "YTO"),
    (re.compile(r"jt[0-9]{13}"), "JT"),
    (re.compile(r"jd[xv][0-9]{12}"), "JD"),
    (re.compile(r"e[a-z][0-9]{9}cn"), "EMS"),
    (re.compile(r"773[0-9]{12}"), "STO"),
    (re.compile(r"7[0-9]{11,13}"), "ZTO"),
    (re.compile(r"(?:3|4)[0-9]{12,14}"), "YD"),
]
_ORDER_SHAPES = [
    re.compile(r"[0-9]{6}-[0-9]{15}"),  # Pinduoduo
    re.compile(r"[1-9][0-9]{17,18}"),  # Taobao/Tmall, Douyin, WeChat shop
    re.compile(r"[1-6][0-9]{11}|[2-9][0-9]{10}|1[0-2][0-9]{9}"),  # JD, but never a mobile number (1[3-9]…)
    re.compile(r"pos[0-9]{14}"),
]


def canonical(value: str) -> str:
    """A number as the store keeps it: what input methods type (full-width digits, lower-case letters,
    spaces and invisible marks within it) read the same way the classifier's text is normalised; the dashes
    of a number read out in groups go too, a Pinduoduo number's own dash stays."""
    kept = _NOT_IN_A_NUMBER.sub("", unicodedata.normalize("NFKC", value).upper())
    return kept if _PINDUODUO.fullmatch(kept) else kept.replace("-", "")


def whole_phone(text: str, order_id: str | None = None) -> str | None:
    """A mobile number standing alone in the message (the receiver's, offered as proof), unless it is the
    order number: not a slot of the parse, which keeps the contract's slots, only read when proof is due."""
    mobile = _LONE_MOBILE.search(unicodedata.normalize("NFKC", text))
    if mobile is None or mobile.group(1) == (canonical(order_id) if order_id else None):
        return None
    return mobile.group(1)


def classify_number(token: str) -> str | None:
    """'order_id', 'tracking_no' or None for a normalised token."""
    if any(shape.fullmatch(token) for shape in _ORDER_SHAPES):
        return "order_id"
    if courier_of_waybill(token):
        return "tracking_no"
    return None


def courier_of_waybill(tracking_no: str) -> str | None:
    """The courier code a waybill's format implies (SF, YTO, JT, JD, EMS, STO, ZTO, YD)."""
    token = tracking_no.lower()
    return next((code for shape, code in _WAYBILLS if shape.fullmatch(token)), None)


def extract_slots(normalized: Normalized, original: str) -> dict[str, str]:
    slots = _numbers(normalized, original)
    text = normalized.text
    tail = _TAIL.search(text) or _BARE_TAIL.match(text)
    if tail:
        slots["phone_tail"] = normalized.original_span(original, tail.start(1), tail.end(1))
    courier = _COURIER.search(text)
    if courier:
        slots["courier"] = normalized.original_span(original, courier.start(), courier.end())
    return slots


def _numbers(normalized: Normalized, original: str) -> dict[str, str]:
    slots = _grouped(normalized, original)
    text = normalized.text
    for match in _TOKEN.finditer(text):
        start, end = match.span(1)
        kind = classify_number(match.group(1))
        if kind is None:  # "no.4102…" or "单号sf…": try without the letters in front
            start = end - len(match.group(1).lstrip("abcdefghijklmnopqrstuvwxyz"))
            kind = classify_number(text[start:end])
        if (
            kind is None
            and _MOBILE.fullmatch(text[start:end])
            and _ORDER_CONTEXT.search(text[max(0, start - 5) : start])
        ):
            kind = "order_id"  # an 11-digit JD number that looks like a phone, but the customer says it is an order
        if kind and kind not in slots:
            slots[kind] = normalized.original_span(original, start, end)
    return slots


def _grouped(normalized: Normalized, original: str) -> dict[str, str]:
    """Numbers read out in groups, classified as if written whole; their value as the customer wrote it."""
    slots: dict[str, str] = {}
    for match in _GROUPED.finditer(normalized.text):
        kind = classify_number(_SEPARATORS.sub("", match.group(1)))
        if kind and kind not in slots:
            slots[kind] = normalized.original_span(original, *match.span(1))
    return slots
