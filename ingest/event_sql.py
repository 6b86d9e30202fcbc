"""The event writer's two statements per batch, straight through the DB-API driver.

SQLAlchemy's statement compilation and per-row bind processing cost more than the database
at tens of thousands of events per second, so the dedup lookup is one plain parameterised
query per source and the insert is one COPY (PostgreSQL) or one executemany (SQLite).
Rows arrive already encoded by `seffaf.catalog.bulk.ValueEncoder`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Connection, Table

from seffaf.catalog.bulk import insert_tuples
from seffaf.catalog.event_tables import QueueEventRow

QUEUE_EVENTS = cast(Table, QueueEventRow.__table__)
TABLE = QUEUE_EVENTS.name
SQLITE_CHUNK = 5000  # ids per IN (...) list: under SQLite's bound-parameter limit


def stored_digests(connection: Connection, source: str, event_ids: Sequence[str]) -> dict[str, str]:
    """content_sha256 of the events of `source` already stored, by event_id."""
    if not event_ids:
        return {}
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    found: dict[str, str] = {}
    try:
        if connection.dialect.name == "postgresql":
            cursor.execute(
                f"SELECT event_id, content_sha256 FROM {TABLE} WHERE source = %s AND event_id = ANY(%s)",  # noqa: S608 - our table name
                (source, list(event_ids)),
            )
            found.update(cursor.fetchall())
            return found
        for start in range(0, len(event_ids), SQLITE_CHUNK):
            chunk = event_ids[start : start + SQLITE_CHUNK]
            marks = ", ".join("?" * len(chunk))
            cursor.execute(
                f"SELECT event_id, content_sha256 FROM {TABLE} WHERE source = ? AND event_id IN ({marks})",  # noqa: S608 - our table name
                (source, *chunk),
            )
            found.update(cursor.fetchall())
        return found
    finally:
        cursor.close()


def insert_events(connection: Connection, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """INSERT encoded queue_events rows (values in `columns` order): COPY on PostgreSQL."""
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        insert_tuples(connection, QUEUE_EVENTS, columns, rows)
        return
    quoted = ", ".join(connection.dialect.identifier_preparer.quote(c) for c in columns)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(f"COPY {TABLE} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()
