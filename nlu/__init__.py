"""Intent and slot extraction: pure functions, no I/O after the model is loaded, thread-safe."""

from __future__ import annotations

import threading
from pathlib import Path

from nlu.features import message_features
from nlu.model import IntentModel
from nlu.normalize import detect_lang, normalize
from nlu.phrases import phrase_slots
from nlu.slots import extract_slots
from nlu.types import INTENTS, SLOTS, Parse

MAX_PARSE_CHARS = 2_000
ALTERNATIVES = 2

__all__ = ["INTENTS", "SLOTS", "Parse", "detect_lang", "parse", "use_model"]

_lock = threading.Lock()
_model: IntentModel | None = None


def _intent_model() -> IntentModel:
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = IntentModel.load()
    return _model


def use_model(path: Path) -> None:
    """Read messages with this model from now on: a shop's own (`xiaoer nlu train --shop`), not the shipped one."""
    global _model
    loaded = IntentModel.load(path)
    with _lock:
        _model = loaded


def parse(text: str) -> Parse:
    """Understand one customer message; never raises, whatever the input."""
    text = text[:MAX_PARSE_CHARS]
    normalized = normalize(text)
    slots = extract_slots(normalized, text)
    lang = detect_lang(normalized.text) or "zh"
    if not normalized.text:
        return Parse("other", 0.0, {}, lang)
    model = _intent_model()
    probabilities = model.probabilities(message_features(normalized, slots))
    ranked = probabilities.argsort()[::-1]
    intent = model.classes[ranked[0]]
    slots.update(phrase_slots(intent, normalized, text))
    alternatives = tuple((model.classes[i], float(probabilities[i])) for i in ranked[1 : 1 + ALTERNATIVES])
    return Parse(intent, float(probabilities[ranked[0]]), slots, lang, alternatives)
