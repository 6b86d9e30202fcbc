"""Window-level views across tickets: walk-ins and windows serving two visits at once. Pure: no I/O.

For a walk-in (service without a ticket) the queue system reports only service_started / service_completed
with a window, so a walk-in is a start paired with the next completion at the same window, centre and day.
Both are re-exported by ingest.sessions, which this module builds on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ingest.events import EventType, QueueEvent
from ingest.sessions import (
    Leg,
    LegOutcome,
    Visit,
    VisitKey,
    end_of_service_day,
    leg_operator,
    ordered_events,
    service_date,
    walk_in_key,
)
from ingest.shifts import Shift
from seffaf.clock import require_utc


@dataclass
class _Draft:
    center: str
    window: int
    start: QueueEvent | None = None
    end: QueueEvent | None = None
    ended_at: datetime | None = None
    outcome: LegOutcome = LegOutcome.OPEN
    anomalies: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> QueueEvent:
        anchor = self.start or self.end
        assert anchor is not None  # a draft is created from one of them
        return anchor


def build_walk_ins(events: Iterable[QueueEvent], tz: ZoneInfo, shifts: Sequence[Shift], now: datetime) -> list[Visit]:
    """Walk-in visits from ticketless service_started / service_completed events, in order of their first event.

    A start while another walk-in is still open at that window ends the earlier one (UNTERMINATED,
    "started_again_before_completion"): a window serves one person at a time, so its completion was lost.
    A completion with nothing open becomes a walk-in of its own ("completed_without_start").
    """
    require_utc(now, "now")
    ordered, conflicts = ordered_events(events)
    drafts: list[_Draft] = []
    open_at: dict[tuple[str, date, int], _Draft] = {}
    for event in ordered:
        if not event.is_walk_in or event.window is None:
            raise ValueError(
                f"build_walk_ins: {event.type.value} {event.source}/{event.event_id} is not a walk-in event "
                "(ticketless service_started / service_completed)"
            )
        slot = (event.center, service_date(event.occurred_at, tz), event.window)
        current = open_at.pop(slot, None)
        if event.type is EventType.SERVICE_STARTED:
            if current is not None:
                _close(current, LegOutcome.UNTERMINATED, event.occurred_at, "started_again_before_completion")
            new = _Draft(event.center, event.window, start=event)
            open_at[slot] = new
            drafts.append(new)
        else:
            if current is None:
                current = _Draft(event.center, event.window, anomalies=["completed_without_start"])
                drafts.append(current)
            current.end = event
            _close(current, LegOutcome.COMPLETED, event.occurred_at)
    visits: list[Visit] = []
    taken: set[VisitKey] = set()
    for draft in drafts:
        visit = _visit(draft, tz, shifts, now, conflicts, taken)
        taken.add(visit.key)
        visits.append(visit)
    return visits


def _close(draft: _Draft, outcome: LegOutcome, at: datetime, anomaly: str | None = None) -> None:
    draft.outcome, draft.ended_at = outcome, at
    if anomaly is not None:
        draft.anomalies.append(anomaly)


def _visit(
    draft: _Draft,
    tz: ZoneInfo,
    shifts: Sequence[Shift],
    now: datetime,
    conflicts: set[tuple[str, str]],
    taken: set[VisitKey],
) -> Visit:
    anchor = draft.anchor
    key = walk_in_key(draft.center, draft.window, anchor.occurred_at, tz)
    anomalies = list(draft.anomalies)
    if key in taken:
        # Two walk-ins begun in the same second at one window (or in a DST fall-back repeat) must stay two visits.
        suffix = 2
        while VisitKey(key.center, key.service_date, f"{key.ticket}-{suffix}") in taken:
            suffix += 1
        key = VisitKey(key.center, key.service_date, f"{key.ticket}-{suffix}")
        anomalies.append("same_second_walk_in")
    if draft.outcome is LegOutcome.OPEN:
        day_end = end_of_service_day(key.service_date, tz)
        if now >= day_end:
            _close(draft, LegOutcome.UNTERMINATED, day_end)
            anomalies.append("still_open_at_end_of_day")
    events = [e for e in (draft.start, draft.end) if e is not None]
    ids = list(dict.fromkeys(i for e in events for i in e.application_ids))
    service = next((e.service for e in events if e.service is not None), None)
    priority = next((e.priority for e in events if e.priority is not None), None)
    operator, source = leg_operator(anchor.operator, shifts, draft.center, draft.window, anchor.occurred_at)
    leg = Leg(
        index=0,
        window=draft.window,
        operator=operator,
        operator_source=source,
        called_at=None,
        started_at=draft.start.occurred_at if draft.start is not None else None,
        ended_at=draft.ended_at,
        outcome=draft.outcome,
        service=service,
        application_ids=tuple(ids),
        recalls=0,
        transferred_to=None,
        anomalies=tuple(anomalies),
    )
    refs = sorted((e.source, e.event_id) for e in events)
    return Visit(
        key=key,
        walk_in=True,
        service=service,
        priority=priority,
        issued_at=None,
        legs=(leg,),
        outcome=leg.outcome,
        application_ids=leg.application_ids,
        anomalies=("conflicting_duplicate_event",) if conflicts.intersection(refs) else (),
        event_refs=tuple(refs),
    )


def window_overlaps(visits: Sequence[Visit], now: datetime | None = None) -> list[tuple[VisitKey, int, VisitKey, int]]:
    """Pairs of legs of different visits at the same centre and window whose service spans overlap.

    A span is [started_at or called_at, ended_at or now); without `now` an open leg runs on indefinitely.
    Each pair is (earlier visit key, its leg index, later visit key, its leg index), the list sorted; the
    caller decides what to attach to them.
    """
    if now is not None:
        require_utc(now, "now")
    spans: dict[tuple[str, int], list[tuple[datetime, datetime | None, VisitKey, int]]] = {}
    for visit in visits:
        for leg in visit.legs:
            start = leg.started_at or leg.called_at
            end = leg.ended_at or now
            if start is None or (end is not None and end <= start):
                continue  # no span: nothing to overlap
            spans.setdefault((visit.key.center, leg.window), []).append((start, end, visit.key, leg.index))
    pairs: list[tuple[VisitKey, int, VisitKey, int]] = []
    for group in spans.values():
        group.sort(key=lambda s: (s[0], s[2], s[3]))
        active: list[tuple[datetime, datetime | None, VisitKey, int]] = []
        for span in group:
            active = [a for a in active if a[1] is None or a[1] > span[0]]
            pairs.extend((a[2], a[3], span[2], span[3]) for a in active if a[2] != span[2])
            active.append(span)
    return sorted(pairs)
