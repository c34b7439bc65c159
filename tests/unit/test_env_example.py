"""`.env.example` lists every setting, and the defaults it shows are the real ones."""

from __future__ import annotations

import re
from pathlib import Path

from bot.settings import Settings

EXAMPLE = Path(__file__).parents[2] / ".env.example"
LINE = re.compile(r"^# (XIAOER_[A-Z0-9_]+)=(.*)$")


def _listed() -> dict[str, str]:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    return {match.group(1): match.group(2) for line in lines if (match := LINE.match(line))}


def test_every_setting_is_listed_once_and_nothing_else() -> None:
    names = [f"XIAOER_{name.upper()}" for name in Settings.model_fields]
    assert sorted(_listed()) == sorted(names)


def test_the_defaults_shown_are_the_real_defaults() -> None:
    listed = _listed()
    for name, field in Settings.model_fields.items():
        if field.default is None:
            continue  # unset by default: the example shows the shape of a value, not a default
        shown = listed[f"XIAOER_{name.upper()}"]
        assert shown == str(field.default).lower() if isinstance(field.default, bool) else shown == str(field.default)
