"""Legal holds in the catalog: placing a case's holds on its sessions' segments, releasing them at close.

The caller audits (seffaf/cases/case_service.py); this module only reads and writes the rows and
tells the hold sink. Store holds are placed before the rows are written, so a failed transaction
can leave a store hold without a row (footage kept longer), never a row without its store hold;
they are lifted after the rows are released, so a commit failing then leaves only catalog holds,
which still guard retention.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session

from indexer.coverage import DEFAULT_PAD_S
from seffaf.cases.hold_cover import HeldLeg, SegmentSpan, covered_segments, padded, seq_runs, store_releases
from seffaf.cases.hold_sink import HoldSink
from seffaf.catalog.case_tables import HoldRow
from seffaf.catalog.footage_tables import SegmentRow
from seffaf.catalog.session_tables import VisitRow
from seffaf.catalog.sites_tables import WindowRow
from seffaf.clock import Clock
from seffaf.retention.holds import active_holds


@dataclass(frozen=True)
class HoldChange:
    """What a place or release did: how many rows, which segments (as camera:first-last runs)."""

    count: int
    runs: list[str]
    store_changed: int


@dataclass(frozen=True)
class HoldSummary:
    active: int
    released: int
    store_held: int
    runs: list[str]


def held_segment_keys(session: Session, keys: Collection[str]) -> set[str]:
    """Which of `keys` an open case holds: retention and deletion must leave these alone."""
    return set(active_holds(session, keys))


class Holds:
    def __init__(self, session: Session, clock: Clock, sink: HoldSink, pad_s: float = DEFAULT_PAD_S) -> None:
        self._session = session
        self._clock = clock
        self._sink = sink
        self._pad = timedelta(seconds=pad_s)

    def held_legs(self, visits: Collection[VisitRow]) -> list[HeldLeg]:
        """Each leg with the camera of its footage: the linked one, else its window's (an unlinked leg)."""
        centers = sorted({visit.center for visit in visits})
        query = select(WindowRow.center, WindowRow.number, WindowRow.camera).where(WindowRow.center.in_(centers))
        cameras = {(center, number): camera for center, number, camera in self._session.execute(query)}
        legs: list[HeldLeg] = []
        for visit in visits:
            for leg in visit.legs:
                camera = leg.camera or cameras.get((leg.center, leg.window))
                if camera is None:
                    continue  # no camera films that window: nothing to hold
                linked = leg.camera == camera
                legs.append(HeldLeg(camera, leg.called_at or leg.started_at, leg.ended_at,
                                    leg.first_seq if linked else None, leg.last_seq if linked else None))  # fmt: skip
        return legs

    def segments_for(self, legs: list[HeldLeg]) -> list[SegmentSpan]:
        """The segments the legs' holds cover: one query per camera, then the pure rule decides."""
        spans: list[SegmentSpan] = []
        for camera in sorted({leg.camera for leg in legs}):
            mine = [leg for leg in legs if leg.camera == camera]
            conditions: list[ColumnElement[bool]] = []
            for leg in mine:
                if leg.first_seq is not None and leg.last_seq is not None:
                    conditions.append(SegmentRow.seq.between(leg.first_seq, leg.last_seq))
                span = padded(leg, self._pad)
                if span is not None:
                    conditions.append(and_(SegmentRow.start < span[1], SegmentRow.end > span[0]))
            if not conditions:
                continue
            query = select(SegmentRow.key, SegmentRow.camera, SegmentRow.seq, SegmentRow.start, SegmentRow.end).where(
                SegmentRow.camera == camera, or_(*conditions)
            )
            spans += [
                SegmentSpan(key, cam, seq, start, end) for key, cam, seq, start, end in self._session.execute(query)
            ]
        return covered_segments(legs, spans, self._pad)

    def place(self, case_id: int, visits: Collection[VisitRow], actor: str) -> HoldChange:
        """Hold every segment the visits' legs cover, for this case (a segment it holds already is skipped)."""
        segments = self.segments_for(self.held_legs(visits))
        already = set(self._session.scalars(select(HoldRow.segment_key).where(HoldRow.case_id == case_id)))
        now = self._clock()
        new = [s for s in segments if s.key not in already]
        store = 0
        for segment in new:
            in_store = self._sink.place_hold(segment.key)
            store += in_store
            self._session.add(HoldRow(case_id=case_id, segment_key=segment.key, camera=segment.camera, seq=segment.seq,
                                      placed_by=actor, placed_at=now, store_hold=in_store))  # fmt: skip
        self._session.flush()
        return HoldChange(len(new), seq_runs([(s.camera, s.seq) for s in new]), store)

    def release(self, case_id: int, actor: str, reason: str) -> HoldChange:
        """Release the case's holds; a store hold is lifted only where no other open case holds the segment."""
        open_rows = list(self._session.scalars(
            select(HoldRow).where(HoldRow.case_id == case_id, HoldRow.released_at.is_(None))
        ))  # fmt: skip
        if not open_rows:
            return HoldChange(0, [], 0)
        self._session.execute(
            update(HoldRow)
            .where(HoldRow.case_id == case_id, HoldRow.released_at.is_(None))
            .values(released_by=actor, released_at=self._clock(), release_reason=reason)
        )
        self._session.flush()
        in_store = [row.segment_key for row in open_rows if row.store_hold]
        lifted = store_releases(in_store, held_segment_keys(self._session, in_store))
        for key in lifted:
            self._sink.release_hold(key)
        return HoldChange(len(open_rows), seq_runs([(row.camera, row.seq) for row in open_rows]), len(lifted))

    def summary(self, case_id: int) -> HoldSummary:
        rows = self._session.execute(
            select(HoldRow.camera, HoldRow.seq, HoldRow.released_at, HoldRow.store_hold).where(
                HoldRow.case_id == case_id
            )
        ).all()
        active = [(camera, seq) for camera, seq, released, _ in rows if released is None]
        store = sum(1 for _, _, released, in_store in rows if released is None and in_store)
        return HoldSummary(len(active), len(rows) - len(active), store, seq_runs(active))

    def count_active(self, case_ids: Collection[int]) -> dict[int, int]:
        query = (
            select(HoldRow.case_id, func.count())
            .where(HoldRow.case_id.in_(sorted(case_ids)), HoldRow.released_at.is_(None))
            .group_by(HoldRow.case_id)
        )
        return {case_id: count for case_id, count in self._session.execute(query)}
