"""Text clean-up before anything else, keeping track of where each character came from.

Two forms: `Normalized.text` (half-width, lower case, simplified, invisible characters gone) keeps a map
back to the original, so slot values can be returned exactly as the customer wrote them; `for_intent`
goes further (emoji out, pinyin abbreviations and common typos spelled out) and only feeds the classifier.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import opencc

from nlu.lexicon import ABBREVIATIONS, CN_NUMBER_SIZES, TYPOS

_INVISIBLE = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\ufe0f\u200d\U000e0000-\U000e007f]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_ASCII_WORD = re.compile(r"[a-z]+")
_T2S = opencc.OpenCC("t2s")
# "不取消了", "不要转人工", "我没说要取消": the request named is the one NOT wanted. The verb is marked so
# the classifier does not read it as the request itself.
_REQUESTS = "取消|拦截|改地址|转人工|人工|退货|退款|退|换货|换"
_SHIPPING = "发货|发|催"
_NEGATED = re.compile(
    rf"(?:不是要|没说要|没有要|不用再|不用|不要|不想|不必|别再|别|不)({_REQUESTS})"
    rf"|(?:不用再|不用|不要|别再|别)({_SHIPPING})"  # "还不发货" is a complaint about shipping, not a wish
)
_MARKED = re.compile(rf"¬(?:{_REQUESTS}|{_SHIPPING})")


@dataclass(frozen=True)
class Normalized:
    text: str
    origin: tuple[int, ...]  # origin[i]: index in the original text of text[i]

    def original_span(self, original: str, start: int, end: int) -> str:
        """The original characters behind text[start:end]."""
        return original[self.origin[start] : self.origin[end - 1] + 1]


def normalize(text: str) -> Normalized:
    light = unicodedata.normalize("NFKC", text).lower()
    if len(light) == len(text) and not _INVISIBLE.search(text) and text.isprintable():
        return _simplified(light, tuple(range(len(text))))  # the common case: one character for one
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if _INVISIBLE.match(char) or _is_lone_surrogate(char):
            continue
        for piece in unicodedata.normalize("NFKC", char).lower():
            chars.append(piece)
            origin.append(index)
    return _simplified("".join(chars), tuple(origin))


def _simplified(light: str, origin: tuple[int, ...]) -> Normalized:
    simplified = _T2S.convert(light)
    if len(simplified) != len(light):  # a phrase conversion changed the length: go char by char
        simplified = "".join(_T2S.convert(char) or char for char in light)
    start, end = _strip_bounds(simplified)
    return Normalized(simplified[start:end], origin[start:end])


def for_intent(normalized: str) -> str:
    """What the classifier reads: no emoji, abbreviations and typos spelled out, sizes in digits."""
    text = _EMOJI.sub(" ", normalized)
    for typo, right in TYPOS.items():
        if typo in text:
            text = text.replace(typo, right)
    for spoken, digits in CN_NUMBER_SIZES.items():
        if spoken in text:
            text = text.replace(spoken, digits)
    text = _ASCII_WORD.sub(lambda m: ABBREVIATIONS.get(m.group(0), m.group(0)), text)
    return _NEGATED.sub(lambda m: "¬" + (m.group(1) or m.group(2)), text).strip()


def without_negated(text: str) -> str:
    """A classifier-form text without the requests it says are not wanted (marked by `for_intent`)."""
    return _MARKED.sub(" ", text)


def detect_lang(text: str) -> str | None:
    """'zh' or 'en', or None when the text has no words to tell by (digits, emoji)."""
    if _CJK.search(text):
        return "zh"
    if _LATIN.search(text):
        return "en"
    return None


def _is_lone_surrogate(char: str) -> bool:
    return "\ud800" <= char <= "\udfff"


def _strip_bounds(text: str) -> tuple[int, int]:
    start, end = 0, len(text)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
