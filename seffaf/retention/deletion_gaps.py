"""A deletion record as the catalog's gap rows: deleted footage is a hole with a known cause.

Each run of deleted segments, consecutive in sequence and in time, becomes one gap row whose key
is the record's key plus the run's first sequence number. The deleter inserts them as it deletes
and a rebuild derives them from the record in the store, so both catalogs hold identical rows.
A recorder gap inside a deleted range stays its own row: the run stops where the footage did.
A store written before the deleter reused an interrupted attempt's record (record_reuse.py) may
hold two records of the same segments; a run a row of the same cause already covers is skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from seffaf.catalog.footage_tables import GapRow
from seffaf.keys import SEQ_DIGITS
from seffaf.retention.tombstones import DeletedSegment, DeletionCause, DeletionRecord

# The gap cause as coverage shows it, "recorded:<cause>": why this footage is missing.
GAP_CAUSES = {DeletionCause.RETENTION: "deleted_by_retention", DeletionCause.EXPLICIT: "deleted_on_request"}
# Segments this close are one run; the recorder's own tolerance for "no hole" (recorder/verify.py).
ADJACENT_S = 1.0
DETAIL_LENGTH = 500  # GapRow.detail


@dataclass(frozen=True)
class GapSpan:
    """An explained hole the catalog already lists."""

    key: str
    start: datetime
    end: datetime
    cause: str


@dataclass(frozen=True)
class DeletionGap:
    key: str
    camera: str
    after_seq: int  # the last segment before the run (0: it began with the first)
    first_seq: int
    last_seq: int
    start: datetime
    end: datetime
    cause: str
    detail: str


def _runs(segments: Sequence[DeletedSegment], adjacent_s: float) -> list[list[DeletedSegment]]:
    runs: list[list[DeletedSegment]] = []
    for segment in sorted(segments, key=lambda s: s.seq):
        last = runs[-1][-1] if runs else None
        joined = (
            last is not None
            and segment.seq == last.seq + 1
            and (segment.start - last.end).total_seconds() <= adjacent_s
        )
        if joined:
            runs[-1].append(segment)
        else:
            runs.append([segment])
    return runs


def deletion_gaps(record: DeletionRecord, adjacent_s: float = ADJACENT_S) -> list[DeletionGap]:
    """The gap rows a deletion record stands for, in sequence order (pure)."""
    cause = GAP_CAUSES[record.cause]
    gaps = []
    for run in _runs(record.segments, adjacent_s):
        first, last = run[0], run[-1]
        detail = (
            f"{len(run)} segment(s), seq {first.seq}-{last.seq}, deleted by {record.actor} "
            f"({record.cause.value}): {record.reason}"
        )
        gap = DeletionGap(key=f"{record.key}#{first.seq:0{SEQ_DIGITS}d}", camera=record.camera,
                          after_seq=max(first.seq - 1, 0), first_seq=first.seq, last_seq=last.seq, start=first.start,
                          end=max(s.end for s in run), cause=cause, detail=detail[:DETAIL_LENGTH])  # fmt: skip
        gaps.append(gap)
    return gaps


def new_gaps(gaps: Sequence[DeletionGap], present: Sequence[GapSpan]) -> list[DeletionGap]:
    """The gaps to insert: not there by key, nor inside a row of the same cause (pure)."""
    keys = {span.key for span in present}
    return [
        gap for gap in gaps
        if gap.key not in keys
        and not any(s.cause == gap.cause and s.start <= gap.start and gap.end <= s.end for s in present)
    ]  # fmt: skip


def add_gap_rows(session: Session, record: DeletionRecord) -> list[DeletionGap]:
    """Insert the record's gap rows not in the catalog yet; returns those added (idempotent)."""
    gaps = deletion_gaps(record)
    if not gaps:
        return []
    start, end = min(gap.start for gap in gaps), max(gap.end for gap in gaps)
    query = select(GapRow.key, GapRow.start, GapRow.end, GapRow.cause).where(
        GapRow.camera == record.camera, GapRow.start <= end, GapRow.end >= start
    )
    added = new_gaps(gaps, [GapSpan(*row) for row in session.execute(query)])
    for gap in added:
        session.add(GapRow(key=gap.key, camera=gap.camera, after_seq=gap.after_seq, start=gap.start, end=gap.end,
                           cause=gap.cause, detail=gap.detail))  # fmt: skip
    return added
