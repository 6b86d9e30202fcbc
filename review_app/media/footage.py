"""What the media routes read from the catalog: a leg's footage over its padded time, one segment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from review_app.media.playlist import GapRef, SegmentRef, Timeline, build_timeline
from seffaf.catalog.footage_tables import GapRow, SegmentRow
from seffaf.catalog.session_tables import LegRow, VisitRow
from seffaf.catalog.sites_tables import WindowRow


@dataclass(frozen=True)
class LegSubject:
    """The leg whose footage is asked for: what access to it is decided on."""

    visit_id: int
    leg_index: int
    center: str
    window: int
    service_date: date
    ticket: str
    operator: str | None


@dataclass(frozen=True)
class SegmentSubject:
    """A catalogued segment asked for by the player."""

    camera: str
    seq: int
    key: str
    center: str | None
    window: int | None


@dataclass(frozen=True)
class LegFootage:
    leg: LegSubject
    camera: str | None
    start: datetime | None  # the leg itself (called, else started), without padding
    end: datetime | None
    timeline: Timeline | None  # None: no camera films the window, or the leg has no time


def find_leg(session: Session, visit_id: int, leg_index: int) -> tuple[LegSubject, LegRow] | None:
    visit = session.get(VisitRow, visit_id)
    leg = next((leg for leg in visit.legs if leg.idx == leg_index), None) if visit is not None else None
    if visit is None or leg is None:
        return None
    subject = LegSubject(visit.id, leg.idx, leg.center, leg.window, visit.service_date, visit.ticket, leg.operator)
    return subject, leg


def leg_footage(session: Session, subject: LegSubject, leg: LegRow, pad_s: float, now: datetime) -> LegFootage:
    """The leg's camera footage over [start - pad, end + pad]; an open leg runs until now."""
    start = leg.called_at or leg.started_at
    end = None if start is None else max(start, leg.ended_at or now)
    # The camera the indexer linked, else the one the sites registry names for the window today.
    camera = leg.camera or session.scalar(
        select(WindowRow.camera).where(WindowRow.center == leg.center, WindowRow.number == leg.window)
    )
    if camera is None or start is None or end is None:
        return LegFootage(subject, camera, start, end, None)
    pad = timedelta(seconds=pad_s)
    return LegFootage(subject, camera, start, end, camera_timeline(session, camera, start - pad, end + pad))


def camera_timeline(session: Session, camera: str, span_start: datetime, span_end: datetime) -> Timeline:
    """Catalog rows only: no segment is read to build a playlist."""
    segments = [
        SegmentRef(camera, seq, start, end, duration)
        for seq, start, end, duration in session.execute(
            select(SegmentRow.seq, SegmentRow.start, SegmentRow.end, SegmentRow.duration_s)
            .where(SegmentRow.camera == camera, SegmentRow.start < span_end, SegmentRow.end > span_start)
            .order_by(SegmentRow.seq)
        )
    ]
    gaps = [
        GapRef(start, end, cause)
        for start, end, cause in session.execute(
            select(GapRow.start, GapRow.end, GapRow.cause).where(
                GapRow.camera == camera, GapRow.start < span_end, GapRow.end > span_start
            )
        )
    ]
    return build_timeline(camera, segments, span_start, span_end, gaps)


def find_segment(session: Session, camera: str, seq: int) -> SegmentSubject | None:
    row = session.scalar(select(SegmentRow).where(SegmentRow.camera == camera, SegmentRow.seq == seq))
    if row is None:
        return None
    center, window = row.center, row.window
    if center is None:  # a recorder run without a sites file: the registry says whose camera it is
        placed = session.execute(select(WindowRow.center, WindowRow.number).where(WindowRow.camera == camera)).first()
        center, window = (placed[0], placed[1]) if placed is not None else (None, window)
    return SegmentSubject(row.camera, row.seq, row.key, center, window)
