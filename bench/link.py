"""Linking benchmark: 100,000 session legs against a month of 10 s segments of 40 cameras.

    .venv/bin/python -m bench.link [--legs 100000] [--cameras 40] [--days 26]

Times seffaf's linker (camera by camera, bisection, bulk writes) on SQLite, and as the anchor
in the same run, the straightforward way (two indexed queries per leg) on a sample, scaled.
Prints a table, writes JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

from sqlalchemy import Table, select, update

from indexer.coverage import Span, link_leg
from indexer.linker import Linker
from seffaf.catalog.bulk import ValueEncoder, insert_tuples
from seffaf.catalog.connect import open_catalog
from seffaf.catalog.footage_tables import GapRow, SegmentRow
from seffaf.catalog.session_tables import LegRow, VisitRow
from seffaf.catalog.sites_tables import CameraRow, CenterRow, WindowRow
from seffaf.clock import utcnow

OUT_DIR = Path(__file__).resolve().parent / "out"
FIRST_DAY = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)  # 09:00 in Baku
OPEN_HOURS = 9.5
SEGMENT_S = 10


def populate(url: str, cameras: int, days: int, legs: int) -> int:
    catalog = open_catalog(url)
    with catalog.sessions() as session, session.begin():
        session.add(CenterRow(id="bench-1", name="Bench", timezone="Asia/Baku"))
        for n in range(1, cameras + 1):
            session.add(CameraRow(id=f"cam{n:02d}", source="rtsp://bench"))
        session.flush()
        for n in range(1, cameras + 1):
            session.add(WindowRow(center="bench-1", number=n, camera=f"cam{n:02d}"))
    rng = random.Random(3)
    segments_total = 0
    with catalog.sessions() as session, session.begin():
        connection = session.connection()
        encode = ValueEncoder(connection.dialect.name)
        columns = ("key", "camera", "seq", "center", "window", "start", "end", "duration_s", "size_bytes", "sha256",
                   "prev_sha256", "audio_status", "recovered")  # fmt: skip
        table = cast(Table, SegmentRow.__table__)
        for n in range(1, cameras + 1):
            rows = []
            seq = 0
            for day in range(days):
                opens = FIRST_DAY + timedelta(days=day)
                for i in range(int(OPEN_HOURS * 3600 / SEGMENT_S)):
                    seq += 1
                    start = opens + timedelta(seconds=i * SEGMENT_S)
                    rows.append((f"segments/cam{n:02d}/{seq:012d}.mp4", f"cam{n:02d}", seq, "bench-1", n,
                                 encode.datetime(start), encode.datetime(start + timedelta(seconds=SEGMENT_S)),
                                 float(SEGMENT_S), 2_500_000, "0" * 64, None, "transcoded", False))  # fmt: skip
            insert_tuples(connection, table, columns, rows)
            segments_total += len(rows)
        visit_table, leg_table = cast(Table, VisitRow.__table__), cast(Table, LegRow.__table__)
        visit_rows, leg_rows = [], []
        for i in range(legs):
            window = i % cameras + 1
            day = (i // cameras) % days
            called = FIRST_DAY + timedelta(days=day, seconds=rng.uniform(0, OPEN_HOURS * 3600 - 900))
            ended = called + timedelta(seconds=rng.uniform(60, 900))
            visit_rows.append((i + 1, "bench-1", encode.date(called.date()), f"T{i:06d}", False, "tax", 0,
                               encode.datetime(called), "completed", "[]", "[]"))  # fmt: skip
            leg_rows.append((i + 1, i + 1, 0, "bench-1", window, "op", "event", encode.datetime(called),
                             encode.datetime(called), encode.datetime(ended), "completed", "tax", "[]", 0, None,
                             "[]"))  # fmt: skip
        insert_tuples(connection, visit_table, ("id", "center", "service_date", "ticket", "walk_in", "service",
                      "priority", "issued_at", "outcome", "application_ids", "anomalies"), visit_rows)  # fmt: skip
        insert_tuples(connection, leg_table, ("id", "visit_id", "idx", "center", "window", "operator",
                      "operator_source", "called_at", "started_at", "ended_at", "outcome", "service",
                      "application_ids", "recalls", "transferred_to", "anomalies"), leg_rows)  # fmt: skip
    catalog.close()
    return segments_total


def naive_per_leg(url: str, sample: int, pad_s: float = 30.0) -> float:
    """Anchor: two indexed queries per leg, then the same pure linking; seconds per leg."""
    catalog = open_catalog(url, migrate=False)
    pad = timedelta(seconds=pad_s)
    with catalog.sessions() as session:
        legs = session.execute(
            select(LegRow.id, WindowRow.camera, LegRow.called_at, LegRow.ended_at)
            .join(WindowRow, (WindowRow.center == LegRow.center) & (WindowRow.number == LegRow.window))
            .limit(sample)
        ).all()
        start = time.perf_counter()
        for _leg_id, camera, called, ended in legs:
            assert called is not None and ended is not None
            segment_query = select(SegmentRow.key, SegmentRow.start, SegmentRow.end).where(
                SegmentRow.camera == camera, SegmentRow.start < ended + pad, SegmentRow.end > called - pad
            )
            gap_query = select(GapRow.key, GapRow.start, GapRow.end, GapRow.cause).where(
                GapRow.camera == camera, GapRow.start < ended, GapRow.end > called
            )
            segments = [Span(k, s, e) for k, s, e in session.execute(segment_query)]
            gaps = [Span(k, s, e, c) for k, s, e, c in session.execute(gap_query)]
            link_leg(called, ended, pad_s, segments, gaps)
        elapsed = time.perf_counter() - start
    catalog.close()
    return elapsed / len(legs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--legs", type=int, default=100_000)
    parser.add_argument("--cameras", type=int, default=40)
    parser.add_argument("--days", type=int, default=26)
    parser.add_argument("--out", type=Path, default=OUT_DIR / "link.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/link.sqlite3"
        started = time.perf_counter()
        segments = populate(url, args.cameras, args.days, args.legs)
        print(f"catalog: {segments:,} segments, {args.legs:,} legs ({time.perf_counter() - started:.0f} s to build)")
        per_leg_anchor = naive_per_leg(url, 2000)
        catalog = open_catalog(url, migrate=False)
        with catalog.sessions() as session, session.begin():
            session.execute(update(LegRow).values(linked_at=None))
            start = time.perf_counter()
            linked = Linker(session, utcnow).link_pending()
            elapsed = time.perf_counter() - start
        catalog.close()
    anchor_total = per_leg_anchor * args.legs
    print(f"\n{'linker':34} {'seconds':>9} {'legs/s':>10}")
    print(f"{'seffaf (per camera, bisection)':34} {elapsed:9.1f} {linked / elapsed:10,.0f}")
    print(f"{'per-leg queries (anchor, scaled)':34} {anchor_total:9.1f} {1 / per_leg_anchor:10,.0f}")
    print(f"speed-up {anchor_total / elapsed:.1f}x")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"segments": segments, "legs": linked, "seconds": elapsed,
                                    "anchor_seconds_scaled": anchor_total}, indent=2))  # fmt: skip
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
