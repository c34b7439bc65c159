"""A linear intent model: scored with numpy at run time, trained with scikit-learn by `xiaoer nlu train`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL_PATH = Path(__file__).with_name("model") / "intent.npz"


@dataclass(frozen=True)
class IntentModel:
    classes: tuple[str, ...]
    vocabulary: dict[str, int]
    weights: np.ndarray  # (features, classes)
    bias: np.ndarray  # (classes,)

    def probabilities(self, feats: Sequence[str]) -> np.ndarray:
        rows = [self.vocabulary[f] for f in feats if f in self.vocabulary]
        scores = self.bias + self.weights[rows].sum(axis=0) if rows else self.bias.copy()
        scores = np.exp(scores - scores.max())
        probabilities: np.ndarray = scores / scores.sum()
        return probabilities

    def save(self, path: Path = MODEL_PATH) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        ordered = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        np.savez_compressed(
            path,
            classes=np.array(self.classes),
            vocabulary=np.array(ordered),
            weights=self.weights.astype(np.float32),
            bias=self.bias.astype(np.float32),
        )

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> IntentModel:
        with np.load(path) as data:
            vocabulary = {str(f): i for i, f in enumerate(data["vocabulary"])}
            return cls(tuple(str(c) for c in data["classes"]), vocabulary, data["weights"], data["bias"])
