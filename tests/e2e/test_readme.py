"""The README's example is what `xiaoer chat --demo` really prints on a fresh demo store."""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.e2e.test_cli import run

README = Path(__file__).parents[2] / "README.md"
COMMAND = "$ xiaoer chat --demo"
# What differs from one day to the next: the demo is seeded around the time it first runs.
_DAY_BOUND = [
    (re.compile(r"\d{1,2}月\d{1,2}日"), "M月D日"),
    (re.compile(r"\b\d{1,2}:\d{2}\b"), "HH:MM"),
    (re.compile(r"已发出 [\d.]+ 天"), "已发出 N 天"),
]


def _same_any_day(line: str) -> str:
    for pattern, placeholder in _DAY_BOUND:
        line = pattern.sub(placeholder, line)
    return line.rstrip()


def readme_example() -> list[str]:
    text = README.read_text(encoding="utf-8")
    start = text.index("```\n" + COMMAND + "\n") + len("```\n" + COMMAND + "\n")
    return text[start : text.index("```", start)].splitlines()


def test_the_readme_example_is_what_a_fresh_demo_prints(tmp_path: Path) -> None:
    example = readme_example()
    typed = [line.removeprefix("> ") for line in example if line.startswith("> ")]
    env = os.environ | {"XIAOER_DATABASE_URL": f"sqlite:///{tmp_path / 'xiaoer.db'}"}
    result = run(["chat", "--demo"], env, stdin="\n".join(typed) + "\n")
    assert result.returncode == 0, result.stderr
    printed = [_same_any_day(line) for line in result.stdout.splitlines()]
    position = 0
    for line in (_same_any_day(line) for line in example if not line.strip().startswith("…")):
        assert line in printed[position:], f"the README shows a line the demo does not print: {line!r}"
        position = printed.index(line, position) + 1
