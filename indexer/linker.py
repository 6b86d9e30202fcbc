"""Linking session legs to the footage of their window's camera, with coverage and holes."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from indexer.coverage import Span, link_leg
from indexer.discovery import Discovered
from seffaf.catalog.footage_tables import GapRow, LegSegmentRow, SegmentRow
from seffaf.catalog.session_tables import LegRow
from seffaf.catalog.sites_tables import WindowRow
from seffaf.clock import Clock

DEFAULT_PAD_S = 30.0


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
                leg_start = LegRow.called_at
                result = self._session.execute(
                    update(LegRow)
                    .where(LegRow.center == center, LegRow.window == number, LegRow.linked_at.is_not(None))
                    .where(leg_start < end + self._pad)
                    .where(or_(LegRow.ended_at.is_(None), LegRow.ended_at > start - self._pad))
                    .values(linked_at=None)
                )
                marked += result.rowcount or 0  # type: ignore[attr-defined]
        return marked

    def link_pending(self) -> int:
        """Link every leg never linked, marked stale, or still open; returns how many."""
        now = self._clock()
        query = (
            select(LegRow, WindowRow.camera)
            .outerjoin(WindowRow, (WindowRow.center == LegRow.center) & (WindowRow.number == LegRow.window))
            .where(or_(LegRow.linked_at.is_(None), LegRow.ended_at.is_(None)))
        )
        count = 0
        for leg, camera in self._session.execute(query).all():
            self._link(leg, camera, now)
            count += 1
        self._session.flush()
        return count

    def _link(self, leg: LegRow, camera: str | None, now: datetime) -> None:
        start = leg.called_at or leg.started_at
        self._session.execute(delete(LegSegmentRow).where(LegSegmentRow.leg_id == leg.id))
        leg.linked_at = now
        if start is None or camera is None:  # nothing to place in time, or no camera at that window
            leg.coverage, leg.holes = None, []
            return
        end = max(start, leg.ended_at or now)
        window_start, window_end = start - self._pad, end + self._pad
        segments = [
            Span(row.key, row.start, row.end)
            for row in self._session.scalars(
                select(SegmentRow).where(
                    SegmentRow.camera == camera, SegmentRow.start < window_end, SegmentRow.end > window_start
                )
            )
        ]
        gaps = [
            Span(row.key, row.start, row.end, row.cause)
            for row in self._session.scalars(
                select(GapRow).where(GapRow.camera == camera, GapRow.start < end, GapRow.end > start)
            )
        ]
        coverage = link_leg(start, end, self._pad_s, segments, gaps)
        leg.coverage = round(coverage.ratio, 6)
        leg.holes = [{"start": h.start.isoformat(), "end": h.end.isoformat(), "cause": h.cause} for h in coverage.holes]
        for link in coverage.links:
            self._session.add(
                LegSegmentRow(
                    leg_id=leg.id, segment_key=link.key, in_offset_s=link.in_offset_s, out_offset_s=link.out_offset_s
                )
            )
