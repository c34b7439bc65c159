"""The intent model is built from the team's written data by `xiaoer nlu train`, never from the dev set."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import nlu
from nlu.evaluate import evaluate
from nlu.model import IntentModel
from nlu.normalize import normalize
from nlu.train import fit
from nlu.training_data import examples

DEV = Path(__file__).resolve().parents[3] / "shared" / "data" / "nlu" / "dev.jsonl"
needs_dev = pytest.mark.skipif(not DEV.exists(), reason=f"the NLU dev set is not at {DEV}")


def _key(text: str) -> str:
    return normalize(text).text.replace(" ", "")


@needs_dev
def test_no_dev_text_is_in_the_training_data() -> None:
    dev = {_key(json.loads(line)["text"]) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()}
    leaked = sorted({e.text for e in examples() if _key(e.text) in dev})
    assert leaked == []


def test_the_shipped_model_is_the_one_the_training_data_builds() -> None:
    shipped = IntentModel.load()
    rebuilt = fit(examples())
    assert rebuilt.classes == shipped.classes and rebuilt.vocabulary == shipped.vocabulary
    assert np.allclose(rebuilt.weights, shipped.weights, atol=1e-3)


def test_every_intent_has_varied_training_data() -> None:
    counts: dict[str, int] = {}
    for example in examples():
        counts[example.intent] = counts.get(example.intent, 0) + 1
    assert set(counts) == set(nlu.INTENTS) and min(counts.values()) >= 300


@needs_dev
def test_dev_accuracy_has_not_regressed() -> None:
    """A guard, not the figure: bench/ and `xiaoer nlu eval` print the real numbers."""
    report = evaluate(DEV, nlu.parse)
    assert report.correct / report.n >= 0.90 and report.macro_f1() >= 0.90
