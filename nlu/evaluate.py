"""`xiaoer nlu eval FILE`: how well the NLU does on a labelled JSONL set."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from nlu.types import INTENTS, SLOTS, Parse

EXACT_SLOTS = ("order_id", "tracking_no", "courier", "phone_tail")


@dataclass
class Report:
    n: int = 0
    correct: int = 0
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    slots_exact: int = 0
    slot_hits: Counter[str] = field(default_factory=Counter)
    slot_gold: Counter[str] = field(default_factory=Counter)
    slot_predicted: Counter[str] = field(default_factory=Counter)

    def add(self, gold_intent: str, gold_slots: dict[str, str], parsed: Parse) -> None:
        self.n += 1
        self.correct += parsed.intent == gold_intent
        self.confusions[(gold_intent, parsed.intent)] += 1
        gold = {k: v for k, v in gold_slots.items() if k in EXACT_SLOTS}
        predicted = {k: v for k, v in parsed.slots.items() if k in EXACT_SLOTS}
        self.slots_exact += gold == predicted
        for name in SLOTS:
            self.slot_gold[name] += name in gold_slots
            self.slot_predicted[name] += name in parsed.slots
            self.slot_hits[name] += name in gold_slots and gold_slots.get(name) == parsed.slots.get(name)

    def per_intent(self) -> dict[str, tuple[float, float, float, int]]:
        table = {}
        for intent in INTENTS:
            tp = self.confusions[(intent, intent)]
            gold = sum(n for (g, _), n in self.confusions.items() if g == intent)
            predicted = sum(n for (_, p), n in self.confusions.items() if p == intent)
            precision = tp / predicted if predicted else 0.0
            recall = tp / gold if gold else 0.0
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            table[intent] = (precision, recall, f1, gold)
        return table

    def macro_f1(self) -> float:
        rows = [row for row in self.per_intent().values() if row[3]]
        return sum(row[2] for row in rows) / len(rows) if rows else 0.0

    def lines(self) -> list[str]:
        out = [f"{'intent':<16}{'precision':>10}{'recall':>8}{'f1':>7}{'n':>6}"]
        for intent, (p, r, f, n) in self.per_intent().items():
            out.append(f"{intent:<16}{p:>10.3f}{r:>8.3f}{f:>7.3f}{n:>6}")
        mistakes = [(pair, n) for pair, n in self.confusions.most_common() if pair[0] != pair[1]][:10]
        out.append("most confused (gold -> predicted): " + ", ".join(f"{g}->{p} {n}" for (g, p), n in mistakes))
        for name in SLOTS:
            out.append(
                f"slot {name}: gold={self.slot_gold[name]} predicted={self.slot_predicted[name]} "
                f"exact={self.slot_hits[name]}"
            )
        out.append(
            f"slot_exact_match={self.slots_exact / self.n if self.n else 0:.4f} (messages whose "
            f"{', '.join(EXACT_SLOTS)} all match)"
        )
        accuracy = self.correct / self.n if self.n else 0.0
        out.append(f"accuracy={accuracy:.4f} macro_f1={self.macro_f1():.4f} n={self.n}")
        return out


def read_jsonl(path: Path) -> Iterable[dict[str, object]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def evaluate(path: Path, parse: Callable[[str], Parse]) -> Report:
    report = Report()
    for row in read_jsonl(path):
        slots = row.get("slots") or {}
        if not isinstance(slots, dict):
            raise ValueError(f"slots must be a JSON object: {row}")
        report.add(str(row["intent"]), {str(k): str(v) for k, v in slots.items()}, parse(str(row["text"])))
    return report
