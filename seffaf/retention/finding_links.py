"""Which undecided findings a camera's segments belong to, so retention keeps their footage.

The rule (the simplest that keeps everything a reviewer can be shown): a finding is about its
centre's window; the window's camera (the sites registry, as the linker uses it) filmed it; every
segment of that camera overlapping the finding's time range, widened by the player's padding on
each side, is linked to it. Undecided: the finding's review status is not final (policies).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from indexer.coverage import DEFAULT_PAD_S
from policies.finding_views import review_status_column
from policies.verdict_flow import FINAL_STATUSES
from seffaf.catalog.finding_tables import FindingRow
from seffaf.catalog.sites_tables import WindowRow

PLAYER_PAD = timedelta(seconds=DEFAULT_PAD_S)


@dataclass(frozen=True)
class FindingSpan:
    finding_id: int
    start: datetime  # padded
    end: datetime


def undecided_spans(session: Session, camera: str, before: datetime, pad: timedelta = PLAYER_PAD) -> list[FindingSpan]:
    """Undecided findings on the camera's windows that start before `before` (padding included)."""
    windows = list(session.execute(select(WindowRow.center, WindowRow.number).where(WindowRow.camera == camera)))
    if not windows:
        return []
    on_camera = or_(*(and_(FindingRow.center == center, FindingRow.window == number) for center, number in windows))
    query = (
        select(FindingRow.id, FindingRow.start, FindingRow.end)
        .where(on_camera, FindingRow.start < before + pad)
        .where(review_status_column().not_in([status.value for status in FINAL_STATUSES]))
        .order_by(FindingRow.start, FindingRow.id)
    )
    return [FindingSpan(fid, start - pad, end + pad) for fid, start, end in session.execute(query)]


class FindingMatcher:
    """Answers "which spans overlap this segment" for segments given in start order (a sweep)."""

    def __init__(self, spans: list[FindingSpan]) -> None:
        self._spans = sorted(spans, key=lambda s: s.start)
        self._starts = [s.start for s in self._spans]
        self._active: list[FindingSpan] = []
        self._next = 0
        self._last_start: datetime | None = None

    def overlapping(self, start: datetime, end: datetime) -> tuple[int, ...]:
        if self._last_start is not None and start < self._last_start:
            raise ValueError("start: segments must be given in start order")
        self._last_start = start
        upto = bisect_left(self._starts, end)
        if upto > self._next:
            self._active.extend(self._spans[self._next : upto])
            self._next = upto
        # Starts only grow, so a span that ended before this segment can never match again.
        self._active = [s for s in self._active if s.end > start]
        return tuple(s.finding_id for s in self._active if s.start < end)
