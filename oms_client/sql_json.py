"""JSON text built inside the database, the same text on SQLite and PostgreSQL.

The alert scans write what they find straight into a staging table and compare it with the open alerts
there, so a finding's facts must come out of SQL as text that is equal exactly when the facts are.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import JSON, SQLColumnExpression, String, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement


class json_object(FunctionElement[str]):
    """`json_object('key', value, ...)` as compact JSON text."""

    type = String()
    inherit_cache = True
    name = "json_object"


@compiles(json_object, "sqlite")
def _json_object_sqlite(element: json_object, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_object({compiler.process(element.clauses, **kw)})"


@compiles(json_object, "postgresql")
def _json_object_postgresql(element: json_object, compiler: SQLCompiler, **kw: Any) -> str:
    # Spaced unlike SQLite's, but the same for the same values, which is all the comparison needs.
    return f"CAST(json_build_object({compiler.process(element.clauses, **kw)}) AS TEXT)"


class iso_utc(FunctionElement[str]):
    """A stored UTC time as ISO 8601 text with its offset, to the second: what `fromisoformat` reads."""

    type = String()
    inherit_cache = True
    name = "iso_utc"


@compiles(iso_utc, "sqlite")
def _iso_utc_sqlite(element: iso_utc, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strftime('%Y-%m-%dT%H:%M:%S+00:00', {compiler.process(element.clauses, **kw)})"


@compiles(iso_utc, "postgresql")
def _iso_utc_postgresql(element: iso_utc, compiler: SQLCompiler, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    return f"""to_char(({value}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')"""


class json_value(FunctionElement[Any]):
    """JSON text, as the value of a JSON column: SQLite keeps the text; PostgreSQL's json wants a cast."""

    type = JSON()
    inherit_cache = True
    name = "json_value"


@compiles(json_value, "sqlite")
def _json_value_sqlite(element: json_value, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(json_value, "postgresql")
def _json_value_postgresql(element: json_value, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS JSON)"


def constant(value: str) -> ColumnElement[str]:
    """A text constant of the code's own, written into the SQL as it is: no parameter whose type the driver
    must guess (asyncpg cannot, inside json_build_object)."""
    assert "'" not in value and "\\" not in value, value
    return literal_column(f"'{value}'", String)


def facts(**values: SQLColumnExpression[Any]) -> json_object:
    """A JSON object of named SQL values, keys in the order given."""
    pairs: list[Any] = []
    for key, value in values.items():
        pairs += [constant(key), value]
    return json_object(*pairs)


def as_text(detail: dict[str, Any]) -> str:
    """A finding made in Python, as the text the staging table holds."""
    return json.dumps(detail, ensure_ascii=False, separators=(",", ":"))
