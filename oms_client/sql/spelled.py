"""SQL functions that SQLite and PostgreSQL spell differently, written once for both."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import Float, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class Spelled(FunctionElement[Any]):
    """A function each dialect spells its own way: `spellings` maps a dialect to its SQL, `{}` standing
    for the arguments. Each subclass sets `inherit_cache` again: SQLAlchemy reads it off the class itself."""

    inherit_cache = True
    spellings: ClassVar[dict[str, str]]


@compiles(Spelled)
def _spell(element: Spelled, compiler: SQLCompiler, **kw: Any) -> str:
    return element.spellings[compiler.dialect.name].format(compiler.process(element.clauses, **kw))


class epoch_seconds(Spelled):
    """A stored UTC time as seconds since 1970, so times can be subtracted and compared with durations in
    one expression on both stores (SQLite keeps times as text; julianday is exact to the millisecond)."""

    type = Float()
    name = "epoch_seconds"
    inherit_cache = True
    spellings: ClassVar[dict[str, str]] = {
        "sqlite": "((julianday({}) - 2440587.5) * 86400.0)",
        "postgresql": "CAST(extract(epoch FROM {}) AS DOUBLE PRECISION)",
    }


class whole(Spelled):
    """A positive number's whole part (PostgreSQL's cast rounds; SQLite's truncates, as this means)."""

    type = Integer()
    name = "whole"
    inherit_cache = True
    spellings: ClassVar[dict[str, str]] = {
        "sqlite": "CAST({} AS INTEGER)",
        "postgresql": "CAST(floor({}) AS INTEGER)",
    }
