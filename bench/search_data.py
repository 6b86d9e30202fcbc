"""The search benchmark's catalog, generated in memory: a year of sessions and a filmed centre's footage.

The sessions, probes and findings come from bench/search_sessions.py. For the session page, one
centre's last `filmed_days` open days also get their footage: 10 s segments and the analytics'
observations (1 s loudness windows, speech share, operator presence, citizens). Rows are built
once, as plain tuples both databases take (datetimes as naive UTC text, SQLAlchemy's SQLite
format, which PostgreSQL reads as UTC once the session's time zone is UTC); bench/search_load.py
loads them. Nothing is cached on disk.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import Table

from bench.search_sessions import (
    APPLICATION_COLUMNS,
    CLOSES_S,
    FINDING_COLUMNS,
    FIRST_DAY,
    HMS,
    LEG_COLUMNS,
    OPENS_S,
    SEGMENT_S,
    SEGMENTS_PER_DAY,
    TZ_OFFSET_S,
    VERDICT_COLUMNS,
    VISIT_COLUMNS,
    FindingProbe,
    Probe,
    build,
)
from seffaf.catalog.finding_tables import FindingRow, VerdictRow
from seffaf.catalog.footage_tables import SegmentRow
from seffaf.catalog.observation_tables import ObservationRow
from seffaf.catalog.session_tables import LegRow, VisitApplicationRow, VisitRow

SEGMENT_COLUMNS = ("key", "camera", "seq", "center", "window", "start", "end", "duration_s", "size_bytes", "sha256",
                   "prev_sha256", "audio_status", "recovered")  # fmt: skip
OBSERVATION_COLUMNS = ("id", "segment_key", "cache_key", "camera", "start", "end", "kind", "value", "confidence",
                       "detector", "detector_version")  # fmt: skip


@dataclass(frozen=True)
class TableRows:
    """One table's generated rows, each a tuple in the order of `columns`."""

    table: Table
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


@dataclass
class Generated:
    centers: dict[str, int]  # centre -> windows
    tables: dict[str, TableRows]
    probes: list[Probe]
    finding_probes: list[FindingProbe]
    filmed_center: str
    filmed_days: list[date]
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def _footage(center: str, windows: int, days: Sequence[int]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Segments and observations of every window camera of `center` on `days` (day indexes)."""
    rng = random.Random(11)
    segments: list[tuple[Any, ...]] = []
    observations: list[tuple[Any, ...]] = []
    cache_key = "c" * 64
    for d in days:
        day_s = (FIRST_DAY + timedelta(days=d)).isoformat()
        stamps = [f"{day_s} {HMS[local - TZ_OFFSET_S]}.000000" for local in range(OPENS_S, CLOSES_S + 1)]
        for window in range(1, windows + 1):
            camera = f"{center}-w{window:02d}"
            for n in range(SEGMENTS_PER_DAY):
                seq = d * SEGMENTS_PER_DAY + n + 1
                at = n * SEGMENT_S  # index into stamps
                start, end = stamps[at], stamps[at + SEGMENT_S]
                key = f"segments/{camera}/{seq:012d}_{day_s}T{HMS[OPENS_S - TZ_OFFSET_S + at].replace(':', '')}Z.mp4"
                segments.append((key, camera, seq, center, window, start, end, float(SEGMENT_S), 2_400_000,
                                 f"{seq:064x}", f"{seq - 1:064x}", "transcoded", False))  # fmt: skip
                rows = [(key, cache_key, camera, stamps[at + i], stamps[at + i + 1], "loudness_lufs",
                         -45 + 25 * rng.random(), 1.0, "audio", "1") for i in range(SEGMENT_S)]  # fmt: skip
                rows.append((key, cache_key, camera, start, end, "speech_share", rng.random(), 1.0, "audio", "1"))
                present = rng.random() > 0.05
                rows.append((key, cache_key, camera, start, end, "operator_present" if present else "operator_absent",
                             1.0 if present else 0.0, 0.9, "presence", "1"))  # fmt: skip
                if rng.random() < 0.6:
                    rows.append((key, cache_key, camera, start, end, "citizen_count", 1.0, 0.8, "presence", "1"))
                base = len(observations) + 1
                observations.extend((base + i, *row) for i, row in enumerate(rows))
    return segments, observations


def generate(sessions: int, filmed_days: int, seed: int = 6) -> Generated:
    started = time.perf_counter()
    builder = build(sessions, filmed_days, seed)
    filmed = sorted(builder.filmed_days)
    segments, observations = _footage(builder.filmed_center, builder.windows[builder.filmed_center], filmed)
    tables = {
        "visits": TableRows(cast(Table, VisitRow.__table__), VISIT_COLUMNS, builder.visits),
        "legs": TableRows(cast(Table, LegRow.__table__), LEG_COLUMNS, builder.legs),
        "visit_applications": TableRows(
            cast(Table, VisitApplicationRow.__table__), APPLICATION_COLUMNS, builder.applications
        ),
        "findings": TableRows(cast(Table, FindingRow.__table__), FINDING_COLUMNS, builder.findings),
        "verdicts": TableRows(cast(Table, VerdictRow.__table__), VERDICT_COLUMNS, builder.verdicts),
        "segments": TableRows(cast(Table, SegmentRow.__table__), SEGMENT_COLUMNS, segments),
        "observations": TableRows(cast(Table, ObservationRow.__table__), OBSERVATION_COLUMNS, observations),
    }
    generated = Generated(builder.windows, tables, builder.probes, builder.finding_probes, builder.filmed_center,
                          [FIRST_DAY + timedelta(days=d) for d in filmed])  # fmt: skip
    generated.counts = {name: len(t.rows) for name, t in tables.items()}
    generated.seconds = time.perf_counter() - started
    return generated


def row_count(generated: Generated) -> int:
    return sum(generated.counts.values())
