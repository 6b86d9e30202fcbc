"""Finding service sessions and presenting them (CLI JSON and the API share these views)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from indexer.leg_observations import Seen, aggregate
from indexer.session_query import SessionFilter as SessionFilter
from indexer.session_query import visit_query
from seffaf.catalog.footage_tables import SegmentRow
from seffaf.catalog.observation_tables import ObservationRow
from seffaf.catalog.session_tables import LegRow, VisitRow
from seffaf.clock import Clock, utcnow


class HoleView(BaseModel):
    start: datetime
    end: datetime
    cause: str


class SegmentLinkView(BaseModel):
    key: str
    in_offset_s: float
    out_offset_s: float


class IntervalView(BaseModel):
    start: datetime
    end: datetime
    kind: str


class LegObservationsView(BaseModel):
    """What the footage analytics saw during the leg."""

    operator_present_s: float
    operator_absent_s: float
    citizen_seen_s: float
    citizen_max: int
    raised_voice_s: float
    tamper_s: float
    loudness_max_lufs: float | None
    raised_voice: list[IntervalView]
    tamper: list[IntervalView]
    operator_absent: list[IntervalView] = []


class LegView(BaseModel):
    index: int
    window: int
    operator: str | None
    operator_source: str
    called_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    outcome: str
    service: str | None
    application_ids: list[str]
    recalls: int
    transferred_to: int | None
    anomalies: list[str]
    coverage: float | None = Field(description="Share of the leg covered by footage, 0..1; null: not linked yet.")
    holes: list[HoleView]
    segments: list[SegmentLinkView]
    observations: LegObservationsView | None = None


class VisitView(BaseModel):
    id: int
    center: str
    service_date: date
    ticket: str
    walk_in: bool
    service: str | None
    priority: int | None
    issued_at: datetime | None
    outcome: str
    application_ids: list[str]
    anomalies: list[str]
    coverage: float | None = Field(None, description="Covered share of all linked legs' time, 0..1.")
    legs: list[LegView]


def linked_segments(session: Session, legs: list[LegRow]) -> dict[int, list[SegmentLinkView]]:
    """Expand each leg's linked run (camera, first_seq..last_seq) into segments with offsets."""
    ranges: dict[str, tuple[int, int]] = {}
    for leg in legs:
        if leg.camera is not None and leg.first_seq is not None and leg.last_seq is not None:
            low, high = ranges.get(leg.camera, (leg.first_seq, leg.last_seq))
            ranges[leg.camera] = (min(low, leg.first_seq), max(high, leg.last_seq))
    found: dict[tuple[str, int], tuple[str, float]] = {}
    for camera, (low, high) in ranges.items():
        query = select(SegmentRow.seq, SegmentRow.key, SegmentRow.duration_s).where(
            SegmentRow.camera == camera, SegmentRow.seq >= low, SegmentRow.seq <= high
        )
        for seq, key, duration in session.execute(query):
            found[(camera, seq)] = (key, duration)
    expanded: dict[int, list[SegmentLinkView]] = {}
    for leg in legs:
        if leg.camera is None or leg.first_seq is None or leg.last_seq is None:
            continue
        views = []
        for seq in range(leg.first_seq, leg.last_seq + 1):
            if (leg.camera, seq) not in found:
                continue  # a missing segment: already a hole in the leg's coverage
            key, duration = found[(leg.camera, seq)]
            start = leg.in_offset_s if seq == leg.first_seq and leg.in_offset_s is not None else 0.0
            end = leg.out_offset_s if seq == leg.last_seq and leg.out_offset_s is not None else duration
            views.append(SegmentLinkView(key=key, in_offset_s=start, out_offset_s=end))
        expanded[leg.id] = views
    return expanded


def leg_observations(session: Session, legs: list[LegRow], now: datetime) -> dict[int, LegObservationsView]:
    """Observations of each linked leg's segments during the leg, aggregated (one query per camera).

    Observations are found through the leg's linked run of segments (camera, seq range) rather than by
    time: a time-range query on a camera's observations has no lower bound an index can use, and its
    cost grows with the camera's history.
    """
    runs: dict[str, list[tuple[LegRow, datetime, datetime]]] = {}
    for leg in legs:
        start = leg.called_at or leg.started_at
        if leg.camera is not None and start is not None and leg.first_seq is not None and leg.last_seq is not None:
            runs.setdefault(leg.camera, []).append((leg, start, leg.ended_at or now))
    views: dict[int, LegObservationsView] = {}
    for camera, items in runs.items():
        low = min(leg.first_seq for leg, _, _ in items if leg.first_seq is not None)
        high = max(leg.last_seq for leg, _, _ in items if leg.last_seq is not None)
        query = (
            select(ObservationRow.kind, ObservationRow.start, ObservationRow.end, ObservationRow.value)
            .join(SegmentRow, SegmentRow.key == ObservationRow.segment_key)
            .where(SegmentRow.camera == camera, SegmentRow.seq >= low, SegmentRow.seq <= high)
        )
        seen = [Seen(kind, start, end, value) for kind, start, end, value in session.execute(query)]
        if not seen:
            continue
        for leg, start, end in items:
            summary = aggregate(seen, start, end)
            views[leg.id] = LegObservationsView.model_validate(asdict(summary))
    return views


def visit_coverage(legs: list[LegView]) -> float | None:
    """Seconds covered over seconds of service, across the visit's linked legs."""
    total = covered = 0.0
    for leg in legs:
        start = leg.called_at or leg.started_at
        if leg.coverage is None or start is None or leg.ended_at is None:
            continue
        seconds = (leg.ended_at - start).total_seconds()
        total += seconds
        covered += seconds * leg.coverage
    return round(covered / total, 6) if total > 0 else None


def visit_view(
    row: VisitRow,
    segments: dict[int, list[SegmentLinkView]] | None = None,
    observations: dict[int, LegObservationsView] | None = None,
) -> VisitView:
    view = _visit_view(row, segments, observations)
    return view.model_copy(update={"coverage": visit_coverage(view.legs)})


def _visit_view(
    row: VisitRow,
    segments: dict[int, list[SegmentLinkView]] | None,
    observations: dict[int, LegObservationsView] | None,
) -> VisitView:
    return VisitView(
        id=row.id, center=row.center, service_date=row.service_date, ticket=row.ticket, walk_in=row.walk_in,
        service=row.service, priority=row.priority, issued_at=row.issued_at, outcome=row.outcome,
        application_ids=list(row.application_ids), anomalies=list(row.anomalies),
        legs=[
            LegView(
                index=leg.idx, window=leg.window, operator=leg.operator, operator_source=leg.operator_source,
                called_at=leg.called_at, started_at=leg.started_at, ended_at=leg.ended_at, outcome=leg.outcome,
                service=leg.service, application_ids=list(leg.application_ids), recalls=leg.recalls,
                transferred_to=leg.transferred_to, anomalies=list(leg.anomalies), coverage=leg.coverage,
                holes=[HoleView.model_validate(h) for h in leg.holes or []],
                segments=(segments or {}).get(leg.id, []),
                observations=(observations or {}).get(leg.id),
            )
            for leg in row.legs
        ],
    )  # fmt: skip


def count_visits(session: Session, filters: SessionFilter) -> int:
    return session.scalar(select(func.count()).select_from(visit_query(filters).order_by(None).subquery())) or 0


def search_visits(
    session: Session, filters: SessionFilter, clock: Clock = utcnow, *, footage: bool = True
) -> list[VisitView]:
    """A page of the visits `filters` asks for; without `footage` the legs carry no segments or observations.

    A result list shows sessions, not their footage: leaving the per-camera segment and observation
    lookups out keeps a search page to a few queries whatever cameras its rows come from.
    """
    return search_page(session, filters, clock, footage=footage)[1]


def search_page(
    session: Session, filters: SessionFilter, clock: Clock = utcnow, *, footage: bool = False
) -> tuple[int, list[VisitView]]:
    """The total and one page of what `filters` finds, in one query while the page has rows.

    The total rides on each row (a window count), so the filters run once instead of once for the
    count and again for the page; only a page past the end needs its own count.
    """
    total_column = func.count().over().label("total")
    query = visit_query(filters).add_columns(total_column).limit(filters.limit).offset(filters.offset)
    found = session.execute(query).all()
    if not found:
        return (count_visits(session, filters) if filters.offset else 0), []
    rows = [row for row, _ in found]
    total = int(found[0][1])
    if not footage:
        return total, [visit_view(row) for row in rows]
    legs = [leg for row in rows for leg in row.legs]
    segments = linked_segments(session, legs)
    observations = leg_observations(session, legs, clock())
    return total, [visit_view(row, segments, observations) for row in rows]


def get_visit(session: Session, visit_id: int, clock: Clock = utcnow) -> VisitView | None:
    row = session.get(VisitRow, visit_id)
    if row is None:
        return None
    legs = list(row.legs)
    return visit_view(row, linked_segments(session, legs), leg_observations(session, legs, clock()))
