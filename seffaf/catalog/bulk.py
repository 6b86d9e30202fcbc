"""Fast multi-row inserts for the ingest hot path, straight through the DB-API executemany.

SQLAlchemy's per-row bind processing costs more than the database itself at tens of thousands
of rows per second. Callers build plain tuples with a `ValueEncoder` chosen once per dialect,
and all rows go in one executemany.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Connection, Date, Table

EMPTY_JSON_LIST = "[]"


class ValueEncoder:
    """How Python values travel to this dialect's driver (what SQLAlchemy's types would do)."""

    def __init__(self, dialect: str) -> None:
        if dialect not in ("sqlite", "postgresql"):
            raise NotImplementedError(f"bulk insert for {dialect}")
        self.dialect = dialect
        self.marker = "?" if dialect == "sqlite" else "%s"

    def datetime(self, value: datetime | None) -> object:
        if value is None or self.dialect != "sqlite":
            return value
        # SQLAlchemy's SQLite storage format: naive UTC, always with microseconds.
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

    def date(self, value: date | None) -> object:
        return value.isoformat() if value is not None and self.dialect == "sqlite" else value

    @staticmethod
    def json_list(value: Sequence[str]) -> str:
        return json.dumps(list(value)) if value else EMPTY_JSON_LIST  # PostgreSQL casts untyped text to json

    def encode(self, value: object, column_type: object) -> object:
        """Generic path for callers that build rows as dicts (less hot than the event writer)."""
        if isinstance(column_type, JSON):
            return None if value is None else json.dumps(value)
        if isinstance(value, datetime):
            return self.datetime(value)
        if isinstance(value, date) and isinstance(column_type, Date):
            return self.date(value)
        return value


def insert_tuples(
    connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """INSERT pre-encoded rows (values in `columns` order) in one executemany."""
    if not rows:
        return
    marker = ValueEncoder(connection.dialect.name).marker
    quoted = ", ".join(connection.dialect.identifier_preparer.quote(c) for c in columns)
    placeholders = ", ".join([marker] * len(columns))
    sql = f"INSERT INTO {table.name} ({quoted}) VALUES ({placeholders})"  # noqa: S608 - our own column names
    connection.exec_driver_sql(sql, list(rows))


def insert_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT dict rows (all with the same keys) in one executemany."""
    if not rows:
        return
    encoder = ValueEncoder(connection.dialect.name)
    columns = list(rows[0])
    types = [table.c[name].type for name in columns]
    tuples = [tuple(encoder.encode(row[c], t) for c, t in zip(columns, types, strict=True)) for row in rows]
    insert_tuples(connection, table, columns, tuples)
