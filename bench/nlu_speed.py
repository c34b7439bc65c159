"""NLU speed: cold start, parses per second on one core, and a parse against a bare `jieba.lcut`.

    python bench/nlu_speed.py [DEV_JSONL]

Cold start (import + first parse) is measured in a fresh interpreter. Throughput and the per-text
ratio are measured in this process over the same texts, one after the other.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_TEXTS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "nlu" / "dev.jsonl"
COLD_START = "import time; t = time.perf_counter(); import nlu; nlu.parse('订单到哪了'); print(time.perf_counter() - t)"


def cold_start_seconds(runs: int = 5) -> float:
    times = [float(subprocess.check_output([sys.executable, "-c", COLD_START], text=True)) for _ in range(runs)]
    return sorted(times)[len(times) // 2]


def per_call_seconds(function, texts: list[str], rounds: int) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            function(text)
    return (time.perf_counter() - started) / (rounds * len(texts))


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_TEXTS
    texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    import jieba

    import nlu

    jieba.setLogLevel(60)
    jieba.lcut("预热")
    nlu.parse("预热")
    rounds = 20
    bare = per_call_seconds(jieba.lcut, texts, rounds)
    parse = per_call_seconds(nlu.parse, texts, rounds)
    print(f"texts={len(texts)} rounds={rounds}")
    print(f"jieba.lcut: {bare * 1e6:.1f} us/text")
    print(f"nlu.parse:  {parse * 1e6:.1f} us/text  ({1 / parse:.0f} parses/s on one core, target >= 3000)")
    print(f"parse / lcut = {parse / bare:.2f}x (target <= 3x)")
    print(f"cold start (import + first parse, median of 5): {cold_start_seconds():.3f} s (target < 1.5 s)")


if __name__ == "__main__":
    main()
