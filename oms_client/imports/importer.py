"""One export file into the store, in batches, whatever platform wrote it: the reading, the platform's mapping,
the writing, and a count of what happened, with each rejected row's line and reason."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from oms_client.domain import Platform
from oms_client.imports import generic, jd, pdd, taobao
from oms_client.imports.reading import Table, read_table
from oms_client.imports.records import ImportedLines, ImportedOrder, ImportSummary, Problem

BATCH = 1_000
# The platforms whose exports are read today; the others' formats come with their own modules.
READERS = ("taobao", "tmall", "jd", "pdd", "generic")
PLATFORMS = ("taobao", "tmall", "jd", "pdd", "douyin", "wxshop", "generic")
Read = ImportedOrder | ImportedLines | Problem


class OrderWriter(Protocol):
    async def upsert_orders(self, orders: Sequence[ImportedOrder], now: datetime) -> ImportSummary: ...

    async def replace_lines(self, items: Sequence[ImportedLines], now: datetime) -> ImportSummary: ...


class UnsupportedPlatform(Exception):
    """A platform whose export this version cannot read yet."""


async def import_file(
    path: Path,
    platform: str,
    writer: OrderWriter,
    zone: ZoneInfo,
    now: datetime,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> ImportSummary:
    """Raises UnreadableFile (not a table) or UnsupportedPlatform; a bad row only counts as rejected."""
    if platform not in READERS:
        raise UnsupportedPlatform(platform)
    table = read_table(path)
    summary, done = ImportSummary(), 0
    for batch in _batches(_read(table, platform, zone)):
        problems = [item for item in batch if isinstance(item, Problem)]
        orders = [item for item in batch if isinstance(item, ImportedOrder)]
        lines = [item for item in batch if isinstance(item, ImportedLines)]
        summary.problems += problems
        summary.rejected += len(problems)
        if orders:
            summary.add(await writer.upsert_orders(orders, now))
        if lines:
            summary.add(await writer.replace_lines(lines, now))
        done += len(batch)
        progress(done, len(table.rows))
    summary.problems.sort(key=lambda problem: problem.line_no)
    return summary


def _read(table: Table, platform: str, zone: ZoneInfo) -> Iterator[Read]:
    if platform == "generic":
        return generic.orders(table, zone)
    if platform == "jd":
        return jd.orders(table, zone)
    if platform == "pdd":
        return pdd.orders(table, zone)
    if taobao.is_item_file(table):
        return taobao.item_lines(table, Platform(platform))
    return taobao.orders(table, Platform(platform), zone)


def _batches(items: Iterable[Read]) -> Iterator[list[Read]]:
    iterator = iter(items)
    while batch := list(islice(iterator, BATCH)):
        yield batch
