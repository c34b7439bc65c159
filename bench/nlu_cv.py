"""Grouped cross-validation of the intent model on the written templates.

Every rendering of one template line falls in the same fold, so a fold is scored on phrasings the
model never saw: an estimate of how it does on new wording, independent of the dev set.

    python bench/nlu_cv.py [--folds 5] [--c 4.0]
"""

from __future__ import annotations

import argparse
import random
from collections import defaultdict

from nlu.train import classify, fit
from nlu.training_data import examples_by_template


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--c", type=float, nargs="*", default=[4.0])
    args = parser.parse_args()
    groups = examples_by_template()
    random.Random(7).shuffle(groups)
    for c in args.c:
        correct = total = 0
        per_intent: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for fold in range(args.folds):
            train = [e for i, g in enumerate(groups) if i % args.folds != fold for e in g]
            test = [e for i, g in enumerate(groups) if i % args.folds == fold for e in g]
            model = fit(train, c)
            for example in test:
                hit = classify(model, example.text) == example.intent
                correct += hit
                total += 1
                per_intent[example.intent][0] += hit
                per_intent[example.intent][1] += 1
        worst = sorted(per_intent.items(), key=lambda kv: kv[1][0] / kv[1][1])[:3]
        print(
            f"C={c} grouped_cv_accuracy={correct / total:.4f} n={total} weakest: "
            + ", ".join(f"{k} {v[0] / v[1]:.3f}" for k, v in worst)
        )


if __name__ == "__main__":
    main()
