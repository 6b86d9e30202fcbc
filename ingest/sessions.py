"""Visits and their legs, derived from a ticket's queue events. Pure: no I/O, no clock, no database.

A visit is one ticket's day at a centre; a leg is its time at one window (a transfer or a call elsewhere
starts a new leg). The queue system is trusted for facts but not for order or completeness: events are
sorted by a fixed key before use, redeliveries are dropped, and whatever does not fit the expected flow
becomes an anomaly string on the leg or visit instead of an exception.

This module holds the types, the keys, the replay order and the entry points; the per-ticket state machine is in
ingest.visit_builder and walk-ins / window overlaps are in ingest.walk_ins. Both build on this module, so it
imports them only inside the functions that use them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from ingest.events import EventType, QueueEvent
from ingest.shifts import Shift, operator_at
from seffaf.clock import require_utc

OperatorSource = Literal["event", "shift", "unknown"]


class LegOutcome(StrEnum):
    COMPLETED = "completed"
    TRANSFERRED = "transferred"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    UNTERMINATED = "unterminated"
    OPEN = "open"


@dataclass(frozen=True)
class Leg:
    index: int
    window: int
    operator: str | None
    operator_source: OperatorSource
    called_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    outcome: LegOutcome
    service: str | None
    application_ids: tuple[str, ...]
    recalls: int
    transferred_to: int | None
    anomalies: tuple[str, ...]


@dataclass(frozen=True, order=True)
class VisitKey:
    center: str
    service_date: date
    ticket: str  # walk-ins: f"walk-in/{window}/{HHMMSS local of start}"


@dataclass(frozen=True)
class Visit:
    key: VisitKey
    walk_in: bool
    service: str | None
    priority: int | None
    issued_at: datetime | None
    legs: tuple[Leg, ...]
    outcome: LegOutcome
    application_ids: tuple[str, ...]
    anomalies: tuple[str, ...]  # visit-level only; each leg carries its own
    event_refs: tuple[tuple[str, str], ...]  # (source, event_id) that built it, sorted


# Same-instant events are replayed in the order a visit lives through them, whatever order they arrived in.
_RANK: dict[EventType, int] = {
    EventType.TICKET_ISSUED: 0,
    EventType.TICKET_CALLED: 1,
    EventType.TICKET_RECALLED: 2,
    EventType.SERVICE_STARTED: 3,
    EventType.APPLICATION_REGISTERED: 4,
    EventType.TICKET_TRANSFERRED: 5,
    EventType.SERVICE_COMPLETED: 6,
    EventType.TICKET_NO_SHOW: 6,
    EventType.TICKET_CANCELLED: 6,
    EventType.OPERATOR_LOGOUT: 7,  # not part of a visit; ranked only so the key is total
    EventType.OPERATOR_LOGIN: 8,
}


def service_date(occurred_at: datetime, tz: ZoneInfo) -> date:
    """The local calendar date at the centre."""
    require_utc(occurred_at, "occurred_at")
    return occurred_at.astimezone(tz).date()


def end_of_service_day(day: date, tz: ZoneInfo) -> datetime:
    """The next local midnight after `day`, in UTC (23 or 25 hours after the day began on DST days)."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC)


def walk_in_key(center: str, window: int, started_at: datetime, tz: ZoneInfo) -> VisitKey:
    local = started_at.astimezone(tz)
    return VisitKey(center, local.date(), f"walk-in/{window}/{local:%H%M%S}")


def visit_key(event: QueueEvent, tz: ZoneInfo) -> VisitKey | None:
    """The visit an event belongs to.

    None for operator login/logout, and for a walk-in's service_completed: which walk-in it ends is only
    known after pairing it with a start (build_walk_ins). A walk-in's service_started gives its key.
    """
    if event.type in (EventType.OPERATOR_LOGIN, EventType.OPERATOR_LOGOUT):
        return None
    if event.ticket is not None:
        return VisitKey(event.center, service_date(event.occurred_at, tz), event.ticket)
    if event.type is EventType.SERVICE_STARTED and event.window is not None:
        return walk_in_key(event.center, event.window, event.occurred_at, tz)
    return None


def event_order(event: QueueEvent) -> tuple[datetime, int, str, str]:
    return (event.occurred_at, _RANK[event.type], event.source, event.event_id)


def ordered_events(events: Iterable[QueueEvent]) -> tuple[list[QueueEvent], set[tuple[str, str]]]:
    """Events in replay order, one per (source, event_id), and the ids redelivered with different content.

    content_key breaks ties between conflicting redeliveries so the same one always wins.
    """
    chosen: dict[tuple[str, str], QueueEvent] = {}
    conflicts: set[tuple[str, str]] = set()
    for event in sorted(events, key=lambda e: (event_order(e), e.content_key())):
        ref = (event.source, event.event_id)
        kept = chosen.setdefault(ref, event)
        if kept is not event and kept.content_key() != event.content_key():
            conflicts.add(ref)
    return list(chosen.values()), conflicts


def leg_operator(
    named: str | None, shifts: Sequence[Shift], center: str, window: int, at: datetime | None
) -> tuple[str | None, OperatorSource]:
    """The event's operator if it named one, else whoever was logged in at the window then."""
    if named is not None:
        return named, "event"
    found = operator_at(shifts, center, window, at) if at is not None else None
    return (found, "shift") if found is not None else (None, "unknown")


def build_visit(events: Iterable[QueueEvent], tz: ZoneInfo, shifts: Sequence[Shift], now: datetime) -> Visit:
    """One ticket's visit from its events (all with the same visit_key), as of `now`.

    Delivery order does not matter and redeliveries count once. Raises ValueError only for input that is
    not one ticket's events; odd sequences of events become anomalies.
    """
    from ingest.visit_builder import VisitDraft  # deferred: visit_builder builds on this module

    require_utc(now, "now")
    ordered, conflicts = ordered_events(events)
    if not ordered:
        raise ValueError("build_visit: no events given; a visit needs at least one of its ticket's events")
    if any(e.ticket is None for e in ordered):
        raise ValueError("build_visit: operator and walk-in events have no ticket; use build_shifts / build_walk_ins")
    keys = {visit_key(e, tz) for e in ordered}
    if len(keys) != 1:
        raise ValueError(f"build_visit: events of {len(keys)} different visits given; group them by visit_key first")
    key = keys.pop()
    assert key is not None  # every ticketed event has a key
    draft = VisitDraft(key)
    for event in ordered:
        draft.apply(event)
    refs = [(e.source, e.event_id) for e in ordered]
    if conflicts:
        draft.add("conflicting_duplicate_event")
    return draft.finish(tz, shifts, now, refs)


def build_walk_ins(events: Iterable[QueueEvent], tz: ZoneInfo, shifts: Sequence[Shift], now: datetime) -> list[Visit]:
    """Walk-in visits from ticketless service events; implemented in ingest.walk_ins (kept apart for size)."""
    from ingest.walk_ins import build_walk_ins as build  # deferred: walk_ins builds on this module

    return build(events, tz, shifts, now)


def window_overlaps(visits: Sequence[Visit], now: datetime | None = None) -> list[tuple[VisitKey, int, VisitKey, int]]:
    """Legs of different visits serving at one centre's window at once; implemented in ingest.walk_ins."""
    from ingest.walk_ins import window_overlaps as overlaps  # deferred: walk_ins builds on this module

    return overlaps(visits, now)
