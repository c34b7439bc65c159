"""The floor plan holds: the dialogue and the NLU load no database, web or platform library, and the top-level
packages import each other in one direction only."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "nlu", "notifications", "oms_client")
# What a channel-free dialogue must never pull in: these belong to the store and the channels.
FORBIDDEN = ("sqlalchemy", "aiohttp", "aiogram", "wechatpy")
IMPORT_ALL = """
import importlib, json, pkgutil, sys
for name in ("handlers", "nlu"):
    package = importlib.import_module(name)
    for found in pkgutil.walk_packages(package.__path__, name + "."):
        importlib.import_module(found.name)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in %r)))
"""


def test_handlers_and_nlu_load_no_database_web_or_platform_library() -> None:
    """In a fresh interpreter: a module loaded by an earlier test must not hide one these pull in."""
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL % (FORBIDDEN,)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout


def _package_imports() -> dict[str, set[str]]:
    """Which top-level packages each one imports (anywhere in its modules, at any depth)."""
    uses: dict[str, set[str]] = {package: set() for package in PACKAGES}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                uses[package] |= {n.split(".")[0] for n in names if n.split(".")[0] in PACKAGES} - {package}
    return uses


def _cycle(uses: dict[str, set[str]]) -> list[str]:
    """One loop of imports among the packages, or [] when there is none."""
    state: dict[str, str] = {}

    def visit(package: str, path: list[str]) -> list[str]:
        state[package] = "open"
        for used in sorted(uses[package]):
            if state.get(used) == "open":
                return [*path[path.index(used) :], used]
            if used not in state and (found := visit(used, [*path, used])):
                return found
        state[package] = "done"
        return []

    for package in PACKAGES:
        if package not in state and (found := visit(package, [package])):
            return found
    return []


def test_top_level_packages_import_each_other_in_one_direction() -> None:
    uses = _package_imports()
    assert _cycle(uses) == [], " -> ".join(_cycle(uses))
    assert uses["nlu"] == set() and uses["oms_client"] == set()  # the ground floor stands on nothing of ours


def test_channels_import_nothing_that_pushes_alerts() -> None:
    """Pushers stand on the channels (the Bot API client, the Tencent client, rendering), never the reverse."""
    found = []
    for path in (ROOT / "bot" / "channels").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bot.pushers"):
                found.append(f"{path.relative_to(ROOT)}: {node.module}")
    assert found == []
