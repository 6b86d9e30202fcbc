"""Bulk-loading the generated catalog (bench/search_data.py) into a migrated, empty database.

One executemany per chunk on SQLite, COPY on PostgreSQL; then what a live catalog would have after
such a load: sequences past the loaded ids and fresh statistics (PostgreSQL), a checkpointed WAL (SQLite).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, text

from bench.search_data import Generated
from seffaf.catalog.bulk import insert_tuples
from seffaf.catalog.connect import Catalog
from seffaf.catalog.sites_tables import CameraRow, CenterRow, WindowRow


def _sites(catalog: Catalog, windows: dict[str, int]) -> None:
    with catalog.sessions() as session, session.begin():
        for center, count in windows.items():
            session.add(CenterRow(id=center, name=center.replace("-", " ").title(), timezone="Asia/Baku"))
            for n in range(1, count + 1):
                session.add(CameraRow(id=f"{center}-w{n:02d}", source="rtsp://bench"))
        session.flush()
        for center, count in windows.items():
            for n in range(1, count + 1):
                session.add(WindowRow(center=center, number=n, camera=f"{center}-w{n:02d}"))


def _copy(connection: Connection, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """PostgreSQL COPY FROM STDIN (text): the server parses each value by its column's type."""
    driver = connection.connection.driver_connection
    quoted = ", ".join(connection.dialect.identifier_preparer.quote(c) for c in columns)
    with driver.cursor() as cursor:  # type: ignore[union-attr]
        cursor.execute("SET LOCAL TIME ZONE 'UTC'")  # naive text timestamps are UTC
        with cursor.copy(f"COPY {table.name} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def load(catalog: Catalog, generated: Generated, chunk: int = 100_000) -> dict[str, float]:
    """Bulk-load the generated rows into a migrated, empty catalog; seconds per table."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    _sites(catalog, generated.centers)
    timings["sites"] = time.perf_counter() - started
    dialect = catalog.engine.dialect.name
    for name, t in generated.tables.items():
        started = time.perf_counter()
        for i in range(0, len(t.rows), chunk):
            with catalog.engine.begin() as connection:
                if dialect == "postgresql":
                    _copy(connection, t.table, t.columns, t.rows[i : i + chunk])
                else:
                    connection.exec_driver_sql("PRAGMA cache_size=-1000000")
                    insert_tuples(connection, t.table, t.columns, t.rows[i : i + chunk])
        timings[name] = time.perf_counter() - started
    started = time.perf_counter()
    with catalog.engine.begin() as connection:
        if dialect == "postgresql":
            for name in ("visits", "legs", "findings", "verdicts", "observations"):
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608 - our names
                                        f"(SELECT coalesce(max(id), 1) FROM {name}))"))  # fmt: skip
            connection.execute(text("ANALYZE"))  # what autovacuum does within a minute of a bulk load
        else:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    timings["finish"] = time.perf_counter() - started
    return timings
