"""Linking session legs to the footage of their window's camera, with coverage and holes.

Legs are processed camera by camera: the camera's segments and gaps over the legs' span are
read once, sorted, and each leg finds its own by bisection. A leg's footage is a run of its
camera's sequence numbers, stored as first..last with the in/out offsets, not a row per segment
(a 10-minute service spans ~60 segments); everything is written in one bulk update.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from indexer.coverage import DEFAULT_PAD_S, Coverage, Span, link_leg
from indexer.discovery import Discovered
from seffaf.catalog.footage_tables import GapRow, SegmentRow
from seffaf.catalog.session_tables import LegRow
from seffaf.catalog.sites_tables import WindowRow
from seffaf.clock import Clock

LONGEST_SEGMENT = timedelta(minutes=10)  # segment_seconds is at most 300 s; bisection looks back this far
UPDATED_COLUMNS = ("coverage", "holes", "camera", "first_seq", "last_seq", "in_offset_s", "out_offset_s", "linked_at")


@dataclass(frozen=True)
class PendingLeg:
    id: int
    camera: str | None
    start: datetime | None
    end: datetime | None


class _CameraFootage:
    """One camera's segments and gaps, sorted by start, for bisection."""

    def __init__(self, segments: Sequence[Span], gaps: Sequence[Span]) -> None:
        self.segments = sorted(segments, key=lambda s: (s.start, s.key))
        self.starts = [s.start for s in self.segments]
        self.gaps = sorted(gaps, key=lambda g: g.start)
        self.gap_starts = [g.start for g in self.gaps]

    def segments_over(self, start: datetime, end: datetime) -> list[Span]:
        lo = bisect_left(self.starts, start - LONGEST_SEGMENT)
        hi = bisect_left(self.starts, end)
        return [s for s in self.segments[lo:hi] if s.end > start]

    def gaps_over(self, start: datetime, end: datetime) -> list[Span]:
        hi = bisect_left(self.gap_starts, end)
        return [g for g in self.gaps[:hi] if g.end > start]


class Linker:
    def __init__(self, session: Session, clock: Clock, pad_s: float = DEFAULT_PAD_S) -> None:
        self._session = session
        self._clock = clock
        self._pad = timedelta(seconds=pad_s)
        self._pad_s = pad_s

    def mark_stale(self, discovered: Discovered) -> int:
        """Legs whose (padded) time new footage or gaps touch must be linked again."""
        marked = 0
        for camera, (start, end) in discovered.touched.items():
            windows = self._session.execute(
                select(WindowRow.center, WindowRow.number).where(WindowRow.camera == camera)
            )
            for center, number in windows:
                result = self._session.execute(
                    update(LegRow)
                    .where(LegRow.center == center, LegRow.window == number, LegRow.linked_at.is_not(None))
                    .where(LegRow.called_at < end + self._pad)
                    .where(or_(LegRow.ended_at.is_(None), LegRow.ended_at > start - self._pad))
                    .values(linked_at=None)
                )
                marked += result.rowcount or 0  # type: ignore[attr-defined]
        return marked

    def pending(self) -> list[PendingLeg]:
        """Legs never linked, marked stale, or still open (their end moves with the clock)."""
        now = self._clock()
        query = (
            select(LegRow.id, WindowRow.camera, LegRow.called_at, LegRow.started_at, LegRow.ended_at)
            .outerjoin(WindowRow, (WindowRow.center == LegRow.center) & (WindowRow.number == LegRow.window))
            .where(or_(LegRow.linked_at.is_(None), LegRow.ended_at.is_(None)))
        )
        legs = []
        for leg_id, camera, called, started, ended in self._session.execute(query):
            start = called or started
            legs.append(PendingLeg(leg_id, camera, start, None if start is None else max(start, ended or now)))
        return legs

    def link_pending(self) -> int:
        """Link every pending leg; returns how many."""
        legs = self.pending()
        by_camera: dict[str | None, list[PendingLeg]] = defaultdict(list)
        for leg in legs:
            by_camera[leg.camera if leg.start is not None else None].append(leg)
        now = self._clock()
        updates: list[dict[str, object]] = []
        for camera, camera_legs in by_camera.items():
            footage = self._footage(camera, camera_legs) if camera is not None else None
            since = self._recording_since(camera) if camera is not None else None
            for leg in camera_legs:
                if footage is None or leg.start is None or leg.end is None:
                    # Nothing to place in time, or no camera films that window.
                    updates.append(_update(leg.id, None, None, [], now))
                    continue
                start, end = leg.start - self._pad, leg.end + self._pad
                coverage = link_leg(
                    leg.start, leg.end, self._pad_s, footage.segments_over(start, end),
                    footage.gaps_over(leg.start, leg.end), since,
                )  # fmt: skip
                holes = [{"start": h.start.isoformat(), "end": h.end.isoformat(), "cause": h.cause}
                         for h in coverage.holes]  # fmt: skip
                updates.append(_update(leg.id, camera, coverage, holes, now))
        self._write(updates)
        return len(legs)

    def _footage(self, camera: str, legs: Sequence[PendingLeg]) -> _CameraFootage:
        starts = [leg.start for leg in legs if leg.start is not None]
        ends = [leg.end for leg in legs if leg.end is not None]
        lo, hi = min(starts) - self._pad - LONGEST_SEGMENT, max(ends) + self._pad
        segments = [
            Span(key, start, end, seq=seq)
            for key, start, end, seq in self._session.execute(
                select(SegmentRow.key, SegmentRow.start, SegmentRow.end, SegmentRow.seq).where(
                    SegmentRow.camera == camera, SegmentRow.start < hi, SegmentRow.end > lo
                )
            )
        ]
        gaps = [
            Span(key, start, end, cause)
            for key, start, end, cause in self._session.execute(
                select(GapRow.key, GapRow.start, GapRow.end, GapRow.cause).where(
                    GapRow.camera == camera, GapRow.start < hi, GapRow.end > lo
                )
            )
        ]
        return _CameraFootage(segments, gaps)

    def _recording_since(self, camera: str) -> datetime | None:
        """The camera's first footage or gap record: before it, the window was not filmed by seffaf yet."""
        first_segment = self._session.scalar(select(func.min(SegmentRow.start)).where(SegmentRow.camera == camera))
        first_gap = self._session.scalar(select(func.min(GapRow.start)).where(GapRow.camera == camera))
        known = [moment for moment in (first_segment, first_gap) if moment is not None]
        return min(known) if known else None

    def _write(self, updates: list[dict[str, object]]) -> None:
        if updates:
            table = LegRow.__table__
            statement = (
                update(table)  # type: ignore[arg-type]
                .where(table.c.id == bindparam("leg_id"))
                .values({name: bindparam(name) for name in UPDATED_COLUMNS})
            )
            self._session.execute(statement, updates)
        self._session.flush()


def _update(
    leg_id: int, camera: str | None, coverage: Coverage | None, holes: list[dict[str, str]], now: datetime
) -> dict[str, object]:
    first = coverage.links[0] if coverage and coverage.links else None
    last = coverage.links[-1] if coverage and coverage.links else None
    return {
        "leg_id": leg_id, "coverage": round(coverage.ratio, 6) if coverage else None, "holes": holes,
        "camera": camera if first else None, "first_seq": first.seq if first else None,
        "last_seq": last.seq if last else None, "in_offset_s": first.in_offset_s if first else None,
        "out_offset_s": last.out_offset_s if last else None, "linked_at": now,
    }  # fmt: skip
