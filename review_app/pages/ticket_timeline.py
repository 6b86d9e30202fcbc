"""A visit's ticket timeline: issued, then per leg called, started, and how it ended (pure, table-tested)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from indexer.session_views import LegView, VisitView

# How a leg's end reads on the timeline; an open leg has no end yet.
ENDINGS = {
    "completed": "completed",
    "transferred": "transferred",
    "no_show": "declared a no-show",
    "cancelled": "cancelled",
    "unterminated": "closed at midnight, never completed",
}


@dataclass(frozen=True)
class TicketEvent:
    at: datetime
    what: str
    leg: int | None  # 0-based; None for the ticket's own events
    window: int | None
    operator: str | None
    note: str = ""


def _leg_events(leg: LegView, legs: list[LegView]) -> list[TicketEvent]:
    def at_window(at: datetime, what: str, note: str = "") -> TicketEvent:
        return TicketEvent(at, what, leg.index, leg.window, leg.operator, note)

    events = []
    if leg.called_at is not None:
        events.append(at_window(leg.called_at, "called", f"recalled {leg.recalls} times" if leg.recalls else ""))
    if leg.started_at is not None:
        events.append(at_window(leg.started_at, "started" if leg.called_at else "started (never called)"))
    if leg.ended_at is not None and leg.outcome in ENDINGS:
        note = ""
        target = next((other for other in legs if other.index == leg.transferred_to), None)
        if leg.outcome == "transferred" and target is not None:
            note = f"to window {target.window}"
        events.append(at_window(leg.ended_at, ENDINGS[leg.outcome], note))
    return events


def ticket_timeline(visit: VisitView) -> list[TicketEvent]:
    """Every moment the queue recorded, in time order (a leg's own order breaks ties)."""
    events: list[TicketEvent] = []
    if visit.issued_at is not None:
        events.append(TicketEvent(visit.issued_at, "issued", None, None, None, visit.service or ""))
    for leg in visit.legs:
        events.extend(_leg_events(leg, visit.legs))
    return sorted(events, key=lambda event: event.at)  # stable: same-instant events keep the leg's order
