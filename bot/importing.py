"""`xiaoer import FILE... --platform P`: a seller's order exports into the store, with a progress bar on a
terminal, each rejected row's line and reason, and the contract's summary line last."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from bot.bootstrap import App
from oms_client.imports.importer import READERS, UnsupportedPlatform, import_file
from oms_client.imports.reading import UnreadableFile
from oms_client.imports.records import ImportSummary
from oms_client.stores.imports import SqlImports

PROBLEMS_SHOWN = 50


async def import_command(app: App, files: list[Path], platform: str) -> int:
    writer, total = SqlImports(app.database, app.shop.alerts.thresholds.ship_within), ImportSummary()
    for path in files:
        if not path.is_file():
            print(f"找不到文件：{path}", file=sys.stderr)
            return 2
        try:
            summary = await import_file(path, platform, writer, app.zone, app.clock.now(), _progress(path))
        except UnreadableFile as error:
            print(f"{path.name}：读不了这个文件（{error}），什么也没有导入", file=sys.stderr)
            return 2
        except UnsupportedPlatform:
            print(f"暂不支持导入 {platform} 的导出文件；现在可用：{'、'.join(READERS)}", file=sys.stderr)
            return 2
        _report(path, summary)
        total.add(summary)
    print(total.line())
    return 0


def _progress(path: Path) -> Callable[[int, int], None]:
    """A bar on stderr while a terminal watches; nothing when the output goes to a file or a pipe."""
    if not sys.stderr.isatty():
        return lambda done, total: None

    def show(done: int, total: int) -> None:
        filled = 30 * done // max(total, 1)
        print(f"\r{path.name} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total} 行", end="", file=sys.stderr)
        if done >= total:
            print(file=sys.stderr)

    return show


def _report(path: Path, summary: ImportSummary) -> None:
    for problem in summary.problems[:PROBLEMS_SHOWN]:
        print(f"{path.name} 第 {problem.line_no} 行：{problem.reason}")
    if len(summary.problems) > PROBLEMS_SHOWN:
        print(f"{path.name}：还有 {len(summary.problems) - PROBLEMS_SHOWN} 行未导入，原因同上类")
    print(
        f"{path.name}：新增 {summary.created} 单，更新 {summary.updated} 单，"
        f"未变 {summary.unchanged} 单，未导入 {summary.rejected} 行"
    )
