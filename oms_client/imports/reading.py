"""Opening an export as the platform wrote it: CSV in UTF-8 (with or without BOM) or GBK/GB18030, or XLSX,
with the marks sellers' spreadsheets leave on numbers taken off.

Taobao writes order numbers as `="2891…"` and phones as `'138…` so that Excel shows them whole instead of
as 2.89E+18; JD masks phones (`1******6198`); some headers carry trailing spaces. Rows come with the line
number a person sees in the file (the header is line 1).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from pathlib import Path

XLSX_MAGIC = b"PK\x03\x04"
Row = dict[str, str]


class UnreadableFile(Exception):
    """The file is not a table this importer can read; the message says why, in Chinese."""


@dataclass(frozen=True)
class Table:
    kind: str  # "csv" or "xlsx"
    encoding: str  # the CSV's encoding ("" for XLSX)
    header: tuple[str, ...]
    rows: list[tuple[int, Row]]


def read_table(path: Path) -> Table:
    data = path.read_bytes()
    if data.startswith(XLSX_MAGIC):
        return _xlsx(data)
    encoding = detect_encoding(data)
    return _csv(data.decode(encoding), encoding)


def detect_encoding(data: bytes) -> str:
    """UTF-8 when it decodes as such (a BOM says so outright); otherwise GB18030, which reads all of GBK."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def clean(value: object) -> str:
    """A cell's text without the spreadsheet guards: `="…"`, a leading apostrophe, tabs, outer spaces."""
    text = "" if value is None else str(value)
    text = text.replace("\t", "").strip()
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1]
    elif text.startswith("="):
        text = text[1:].strip('"')
    return text.removeprefix("'").strip()


def group_rows(table: Table, key: Callable[[Row], Hashable]) -> dict[Hashable, list[tuple[int, Row]]]:
    """Rows of one order together, in file order (exports with a row per order line)."""
    grouped: dict[Hashable, list[tuple[int, Row]]] = {}
    for line_no, row in table.rows:
        grouped.setdefault(key(row), []).append((line_no, row))
    return grouped


def _csv(text: str, encoding: str) -> Table:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = tuple(clean(name) for name in next(reader, []))
    if not any(header):
        raise UnreadableFile("文件是空的，或第一行不是表头")
    rows = [(reader.line_num, _row(header, cells)) for cells in reader if any(cell.strip() for cell in cells)]
    return Table("csv", encoding, header, rows)


def _xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook  # only an XLSX needs it, and it takes a while to import

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise UnreadableFile(f"不是有效的 Excel（xlsx）文件：{error}") from error
    sheet = book.worksheets[0]
    lines: Iterator[tuple[object, ...]] = sheet.iter_rows(values_only=True)
    header = tuple(clean(name) for name in next(lines, ()))
    if not any(header):
        raise UnreadableFile("表格是空的，或第一行不是表头")
    rows = []
    for number, cells in enumerate(lines, start=2):
        if any(cell not in (None, "") for cell in cells):
            rows.append((number, _row(header, [_cell_text(cell) for cell in cells])))
    book.close()
    return Table("xlsx", "", header, rows)


def _cell_text(cell: object) -> str:
    """Excel keeps long numbers as floats and times as datetimes: both back to the text the platform wrote."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if hasattr(cell, "strftime"):
        return cell.strftime("%Y-%m-%d %H:%M:%S")  # type: ignore[no-any-return]
    return "" if cell is None else str(cell)


def _row(header: tuple[str, ...], cells: list[str]) -> Row:
    return {name: clean(cell) for name, cell in zip(header, cells, strict=False) if name}
