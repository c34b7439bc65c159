"""Masking of receivers' personal data (PIPL): every reply, log line and metric uses these, and an erasure
masks old orders' receivers in the store the same way."""

from __future__ import annotations

import re

_PHONE = re.compile(r"(?<![0-9])(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9])")
_WHOLE_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_LONG_NUMBER = re.compile(r"[A-Za-z]{0,4}\d[\d-]{5,}\d")


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: the surname stays so the customer recognises the parcel."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; anything that is not a mobile number keeps only its last four."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) == 11:
        return f"{digits[:3]}****{digits[-4:]}"
    return "****" + digits[-4:] if len(digits) >= 4 else "****"


def mask_address(province: str, city: str, district: str) -> str:
    """Province, city and district only; the street and door never leave the store."""
    parts = [province] if province == city else [province, city]
    return "".join([*parts, district])


def as_template(text: str) -> str:
    """A customer's message kept to learn from: phone numbers and long numbers (orders, waybills) become the
    training data's placeholders, so no one's number is kept and the model learns the request around it."""
    return _LONG_NUMBER.sub("{order}", _WHOLE_PHONE.sub("{phone}", text))


def mask_phones_in_text(text: str) -> str:
    """For logs: any mobile number a user typed is masked before it is written."""
    return _PHONE.sub(r"\1****\2", text)
