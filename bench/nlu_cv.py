"""Grouped cross-validation of the intent model on the written templates.

Every rendering of one template line falls in the same fold, so a fold is scored on phrasings the
model never saw: an estimate of how it does on new wording, independent of the dev set.

    python bench/nlu_cv.py [--folds 5] [--c 4.0] [--shuffles 3]

Which templates share a fold depends on the shuffle, and one line added moves every fold: a single shuffle's
figure moves by about a point for that alone, so the figure is the mean over several shuffles.
"""

from __future__ import annotations

import argparse
import random
from collections import defaultdict

from nlu.train import classify, fit
from nlu.training_data import Example, examples_by_template


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--c", type=float, nargs="*", default=[4.0])
    parser.add_argument("--shuffles", type=int, default=3)
    args = parser.parse_args()
    groups = examples_by_template()
    for c in args.c:
        runs = [_cross_validate(groups, args.folds, c, seed) for seed in range(7, 7 + args.shuffles)]
        accuracy = sum(r[0] for r in runs) / len(runs)
        per_intent: dict[str, float] = defaultdict(float)
        for _, scores in runs:
            for intent, score in scores.items():
                per_intent[intent] += score / len(runs)
        worst = sorted(per_intent.items(), key=lambda kv: kv[1])[:3]
        spread = max(r[0] for r in runs) - min(r[0] for r in runs)
        print(
            f"C={c} grouped_cv_accuracy={accuracy:.4f} (mean of {len(runs)} shuffles, spread {spread:.4f}) "
            f"n={sum(map(len, groups))} weakest: " + ", ".join(f"{k} {v:.3f}" for k, v in worst)
        )


def _cross_validate(groups: list[list[Example]], folds: int, c: float, seed: int) -> tuple[float, dict[str, float]]:
    """Accuracy over all folds of one shuffle, and per intent."""
    shuffled = list(groups)
    random.Random(seed).shuffle(shuffled)
    correct = total = 0
    per_intent: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for fold in range(folds):
        train = [e for i, g in enumerate(shuffled) if i % folds != fold for e in g]
        test = [e for i, g in enumerate(shuffled) if i % folds == fold for e in g]
        model = fit(train, c)
        for example in test:
            hit = classify(model, example.text) == example.intent
            correct += hit
            total += 1
            per_intent[example.intent][0] += hit
            per_intent[example.intent][1] += 1
    return correct / total, {intent: hits / n for intent, (hits, n) in per_intent.items()}


if __name__ == "__main__":
    main()
