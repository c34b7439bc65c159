"""Text clean-up shared by every NLU step."""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f\u200b-\u200f\u2060\ufeff]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def normalize(text: str) -> str:
    """Half-width, lower-case, without invisible characters, so that rules see one spelling."""
    text = _INVISIBLE.sub("", text)
    return unicodedata.normalize("NFKC", text).lower().strip()


def detect_lang(text: str) -> str | None:
    """'zh' or 'en', or None when the text has no words to tell by (digits, emoji)."""
    if _CJK.search(text):
        return "zh"
    if _LATIN.search(text):
        return "en"
    return None
