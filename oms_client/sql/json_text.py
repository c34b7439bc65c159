"""JSON text built inside the database (SQLite and PostgreSQL each their own way), always the same text for
the same facts.

The alert scans write what they find straight into a staging table and compare it with the open alerts
there, so a finding's facts must come out of SQL as text that is equal exactly when the facts are.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from sqlalchemy import JSON, SQLColumnExpression, String, literal_column
from sqlalchemy.sql.elements import ColumnElement

from oms_client.sql.spelled import Spelled


class json_object(Spelled):
    """`json_object('key', value, ...)` as JSON text. PostgreSQL spaces it unlike SQLite, but the same for
    the same values, which is all the comparison needs."""

    type = String()
    name = "json_object"
    inherit_cache = True
    spellings: ClassVar[dict[str, str]] = {
        "sqlite": "json_object({})",
        "postgresql": "CAST(json_build_object({}) AS TEXT)",
    }


class iso_utc(Spelled):
    """A stored UTC time as ISO 8601 text with its offset, to the second: what `fromisoformat` reads."""

    type = String()
    name = "iso_utc"
    inherit_cache = True
    spellings: ClassVar[dict[str, str]] = {
        "sqlite": "strftime('%Y-%m-%dT%H:%M:%S+00:00', {})",
        "postgresql": """to_char(({}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')""",
    }


class json_value(Spelled):
    """JSON text, as the value of a JSON column: SQLite keeps the text; PostgreSQL's json wants a cast."""

    type = JSON()
    name = "json_value"
    inherit_cache = True
    spellings: ClassVar[dict[str, str]] = {"sqlite": "{}", "postgresql": "CAST({} AS JSON)"}


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
