"""`xiaoer nlu train`: build the intent model from the written training data (needs the `train` extra)."""

from __future__ import annotations

from collections import Counter

import numpy as np

from nlu.features import message_features
from nlu.model import MODEL_PATH, IntentModel
from nlu.normalize import normalize
from nlu.slots import extract_slots
from nlu.training_data import Example, examples
from nlu.types import INTENTS

MIN_FEATURE_COUNT = 2
REGULARISATION_C = 4.0


def text_features(text: str) -> list[str]:
    normalized = normalize(text)
    return message_features(normalized, extract_slots(normalized, text))


def classify(model: IntentModel, text: str) -> str:
    return model.classes[int(model.probabilities(text_features(text)).argmax())]


def fit(data: list[Example], c: float = REGULARISATION_C) -> IntentModel:
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    rows = [text_features(example.text) for example in data]
    counts = Counter(f for row in rows for f in set(row))
    vocabulary = {f: i for i, f in enumerate(sorted(f for f, n in counts.items() if n >= MIN_FEATURE_COUNT))}
    indices = [[vocabulary[f] for f in row if f in vocabulary] for row in rows]
    matrix = csr_matrix(
        (
            np.ones(sum(map(len, indices))),
            np.concatenate([np.array(i, dtype=np.int64) for i in indices]),
            np.cumsum([0, *map(len, indices)]),
        ),
        shape=(len(rows), len(vocabulary)),
    )
    labels = [INTENTS.index(example.intent) for example in data]
    classifier = LogisticRegression(C=c, max_iter=2000)
    classifier.fit(matrix, labels)
    classes = tuple(INTENTS[i] for i in classifier.classes_)
    return IntentModel(
        classes, vocabulary, classifier.coef_.T.astype(np.float32), classifier.intercept_.astype(np.float32)
    )


def main() -> int:
    data = examples()
    model = fit(data)
    model.save(MODEL_PATH)
    print(f"trained on {len(data)} examples, {len(model.vocabulary)} features -> {MODEL_PATH}")
    return 0
