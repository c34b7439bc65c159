"""What the intent classifier sees of a message: words, character n-grams, word classes and which slots it has.

Word bigrams were dropped: on phrasings never trained on (grouped CV) they cost a point, and on both dev sets too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import combinations

from nlu.lexicon import CONCEPTS
from nlu.normalize import Normalized, for_intent, without_negated
from nlu.tokenizer import tokenizer

_DIGITS = re.compile(r"[0-9]+")
_SPACE = re.compile(r"\s+")
_PUNCT = set(" ，。！？、,.!?~～…:：;；()（）【】[]\"'“”‘’-—_/\\#")
_CONCEPT_WORDS = tuple((word, name) for name, words in CONCEPTS.items() for word in words.split())


def features(text: str, slot_names: list[str]) -> list[str]:
    """`text` is the classifier form of the message (see normalize.for_intent)."""
    concepts = _concepts(text)
    text = _SPACE.sub(" ", _DIGITS.sub("#", text))
    words = [w for w in tokenizer().lcut(text, HMM=False) if w.strip() and w not in _PUNCT]
    found = [f"w:{w}" for w in words]
    squeezed = text.replace(" ", "")
    found += [f"c2:{squeezed[i : i + 2]}" for i in range(len(squeezed) - 1)]
    found += [f"c3:{squeezed[i : i + 3]}" for i in range(len(squeezed) - 2)]
    found += [f"slot:{name}" for name in slot_names]
    found += concepts
    return found or ["empty"]


def message_features(normalized: Normalized, slot_names: Iterable[str]) -> list[str]:
    """What the classifier reads of a message; `parse` and training both call this, so they cannot drift."""
    return features(for_intent(normalized.text), sorted(slot_names))


def _concepts(text: str) -> list[str]:
    """The classes of request words present, alone and in pairs: what carries over to phrasings not trained on."""
    text = without_negated(text)
    present = sorted({name for word, name in _CONCEPT_WORDS if word in text})
    return [f"k:{name}" for name in present] + [f"kk:{a}_{b}" for a, b in combinations(present, 2)]
