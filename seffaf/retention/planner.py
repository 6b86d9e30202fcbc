"""Streaming the retention plan: every segment old enough to be considered, with its verdict.

Nothing is loaded whole (a month of 40 cameras at 10 s is ~10M segments): cameras are found by
an index skip-scan, and each camera's segments older than the latest cut-off are read in pages
by (start, key) on ix_segments_camera_time, with the holds of each page's keys and the camera's
undecided findings (few) beside them. Each page is read in its own short session.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from seffaf.catalog.footage_tables import SegmentRow
from seffaf.config import RetentionConfig
from seffaf.retention.finding_links import FindingMatcher, undecided_spans
from seffaf.retention.holds import active_holds
from seffaf.retention.periods import RetentionPeriods, load_periods
from seffaf.retention.verdict import SegmentFacts, Verdict, retention_verdict


@dataclass(frozen=True)
class PlannedSegment:
    facts: SegmentFacts
    size_bytes: int
    verdict: Verdict


@dataclass(frozen=True)
class PlanPage:
    camera: str
    items: list[PlannedSegment]


def cameras_with_footage(session: Session) -> Iterator[str]:
    """Distinct cameras of the segments table, one index seek each (no scan of all rows)."""
    camera = session.scalar(select(func.min(SegmentRow.camera)))
    while camera is not None:
        yield camera
        camera = session.scalar(select(func.min(SegmentRow.camera)).where(SegmentRow.camera > camera))


class RetentionPlanner:
    def __init__(self, sessions: sessionmaker[Session], config: RetentionConfig, now: datetime) -> None:
        self._sessions = sessions
        self._config = config
        self._now = now
        with sessions() as session:
            self.periods: RetentionPeriods = load_periods(session, config)

    def pages(self) -> Iterator[PlanPage]:
        shortest = self.periods.shortest()
        if shortest is None:  # nothing is ever deleted: every segment stays for that one reason
            return
        latest_cutoff = self._now - shortest
        with self._sessions() as session:
            cameras = list(cameras_with_footage(session))
        for camera in cameras:
            yield from self._camera_pages(camera, latest_cutoff)

    def _camera_pages(self, camera: str, latest_cutoff: datetime) -> Iterator[PlanPage]:
        with self._sessions() as session:
            matcher = FindingMatcher(undecided_spans(session, camera, latest_cutoff))
        after: tuple[datetime, str] | None = None
        while True:
            with self._sessions() as session:
                rows = list(session.execute(self._page_query(camera, latest_cutoff, after)))
                holds = active_holds(session, [row.key for row in rows])
            if not rows:
                return
            items = []
            for row in rows:
                facts = SegmentFacts(key=row.key, camera=row.camera, seq=row.seq, center=row.center, start=row.start,
                                     end=row.end, verified_ok=row.verified_ok, hold_cases=holds.get(row.key, ()),
                                     undecided_findings=matcher.overlapping(row.start, row.end))  # fmt: skip
                verdict = retention_verdict(facts, self._now, self.periods.period(row.center))
                items.append(PlannedSegment(facts, row.size_bytes, verdict))
            yield PlanPage(camera, items)
            if len(rows) < self._config.plan_batch:
                return
            after = (rows[-1].start, rows[-1].key)

    def _page_query(
        self, camera: str, before: datetime, after: tuple[datetime, str] | None
    ) -> Select[str, str, int, str | None, datetime, datetime, bool | None, int]:
        query = select(SegmentRow.key, SegmentRow.camera, SegmentRow.seq, SegmentRow.center, SegmentRow.start,
                       SegmentRow.end, SegmentRow.verified_ok, SegmentRow.size_bytes)  # fmt: skip
        query = query.where(SegmentRow.camera == camera, SegmentRow.start < before)
        if after is not None:
            start, key = after
            # The plain `start >=` gives the index its range; the OR orders ties by key.
            query = query.where(
                SegmentRow.start >= start,
                or_(SegmentRow.start > start, and_(SegmentRow.start == start, SegmentRow.key > key)),
            )
        return query.order_by(SegmentRow.start, SegmentRow.key).limit(self._config.plan_batch)
