"""The per-ticket state machine behind ingest.sessions.build_visit. Pure: no I/O, no clock, no database.

A VisitDraft replays one ticket's events, already deduplicated and in replay order (ingest.sessions.ordered_events),
opening, closing and transferring legs as it goes; whatever does not fit the expected flow becomes an anomaly on
the leg or the visit. finish() freezes it into a Visit as of a given instant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from ingest.events import EventType, QueueEvent
from ingest.sessions import Leg, LegOutcome, Visit, VisitKey, end_of_service_day, leg_operator
from ingest.shifts import Shift

_CLOSED = (LegOutcome.COMPLETED, LegOutcome.NO_SHOW, LegOutcome.CANCELLED)


def _extend(target: list[str], items: Iterable[str]) -> None:
    target.extend(i for i in dict.fromkeys(items) if i not in target)


@dataclass
class _LegDraft:
    index: int
    window: int
    service: str | None  # only when stated (the event's or a transfer's); filled forward at the end
    operator: str | None = None
    called_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    outcome: LegOutcome = LegOutcome.OPEN
    application_ids: list[str] = field(default_factory=list)
    recalls: int = 0
    transferred_to: int | None = None
    anomalies: list[str] = field(default_factory=list)

    def add(self, anomaly: str) -> None:
        if anomaly not in self.anomalies:
            self.anomalies.append(anomaly)

    def note_operator(self, operator: str | None) -> None:
        if operator is None:
            return
        if self.operator is None:
            self.operator = operator
        elif self.operator != operator:
            self.add("operator_mismatch")  # the first one named stays: it is who called the ticket


@dataclass
class _Transfer:
    from_leg: int | None
    to_window: int | None
    to_service: str | None


class VisitDraft:
    """One ticket's visit while its events are replayed; build_visit in ingest.sessions drives it."""

    def __init__(self, key: VisitKey) -> None:
        self.key = key
        self.issued: QueueEvent | None = None
        self.first_service: str | None = None
        self.first_priority: int | None = None
        self.legs: list[_LegDraft] = []
        self.open: _LegDraft | None = None  # at most one leg is open at a time
        self.transfer: _Transfer | None = None  # a transfer waiting for the next leg
        self.terminal: LegOutcome | None = None  # no-show / cancel that found no open leg
        self.loose_ids: list[str] = []  # registered while no leg was open
        self.ids: list[str] = []
        self.anomalies: list[str] = []

    def add(self, anomaly: str) -> None:
        if anomaly not in self.anomalies:
            self.anomalies.append(anomaly)

    def apply(self, e: QueueEvent) -> None:
        if self.first_service is None:
            self.first_service = e.service
        if self.first_priority is None:
            self.first_priority = e.priority
        touched: _LegDraft | None
        match e.type:
            case EventType.TICKET_ISSUED:
                self._issued(e)
                touched = None
            case EventType.TICKET_CALLED | EventType.TICKET_RECALLED:
                touched = self._called(e, _window(e))
            case EventType.SERVICE_STARTED:
                touched = self._started(e, _window(e))
            case EventType.TICKET_TRANSFERRED:
                touched = self._transferred(e)
            case EventType.SERVICE_COMPLETED:
                touched = self._completed(e, _window(e))
            case EventType.TICKET_NO_SHOW:
                touched = self._ended(e, LegOutcome.NO_SHOW)
            case EventType.TICKET_CANCELLED:
                touched = self._ended(e, LegOutcome.CANCELLED)
            case EventType.APPLICATION_REGISTERED:
                touched = self.open
            case _:
                raise ValueError(f"build_visit: {e.type.value} is not a visit event")
        if e.application_ids:
            _extend(self.ids, e.application_ids)
            target = touched or self.open
            _extend(target.application_ids if target is not None else self.loose_ids, e.application_ids)

    def _issued(self, e: QueueEvent) -> None:
        if self.issued is None:
            self.issued = e
        else:
            self.add("issued_twice")  # the earliest issue stands

    def _called(self, e: QueueEvent, window: int) -> _LegDraft:
        leg = self.open
        if leg is not None and leg.window == window:
            leg.recalls += 1  # calling the same ticket again at the same window is a recall however it is reported
            leg.note_operator(e.operator)
            return leg
        if leg is not None:
            # No transfer closed it, so the queue system lost track; keep both legs rather than guess which is wrong.
            self._close(LegOutcome.UNTERMINATED, e.occurred_at, "called_at_another_window")
        new = self._new_leg(e, window)
        new.called_at = e.occurred_at
        if e.type is EventType.TICKET_RECALLED:
            new.recalls = 1
            new.add("recall_without_call")
        if leg is not None:
            new.add("called_while_open_elsewhere")
        return new

    def _started(self, e: QueueEvent, window: int) -> _LegDraft:
        leg = self.open
        if leg is not None and leg.window == window:
            if leg.started_at is None:
                leg.started_at = e.occurred_at
            else:
                leg.add("started_twice")
            leg.note_operator(e.operator)
            return leg
        if leg is not None:
            self._close(LegOutcome.UNTERMINATED, e.occurred_at, "started_at_another_window")
        new = self._new_leg(e, window)
        new.started_at = e.occurred_at
        new.add("started_without_call")
        if leg is not None:
            new.add("started_while_open_elsewhere")
        return new

    def _transferred(self, e: QueueEvent) -> _LegDraft | None:
        leg = self.open
        if leg is not None:
            self._close(LegOutcome.TRANSFERRED, e.occurred_at)
            from_leg: int | None = leg.index
        else:
            self.add("transferred_without_open_leg")
            from_leg = self.transfer.from_leg if self.transfer is not None else None
        self.transfer = _Transfer(from_leg, e.to_window, e.to_service)
        return leg

    def _completed(self, e: QueueEvent, window: int) -> _LegDraft:
        leg = self.open
        if leg is not None:
            if leg.window != window:
                leg.add("completed_at_another_window")
            self._close(LegOutcome.COMPLETED, e.occurred_at)
            return leg
        last = self.legs[-1] if self.legs else None
        if last is not None and last.outcome is LegOutcome.COMPLETED and last.window == window:
            last.add("completed_twice")  # a re-sent completion under a new id; the first one stands
            return last
        new = self._new_leg(e, window)
        new.add("completed_without_open_leg")
        self._close(LegOutcome.COMPLETED, e.occurred_at)
        return new

    def _ended(self, e: QueueEvent, outcome: LegOutcome) -> _LegDraft | None:
        leg = self.open
        if leg is not None:
            self._close(outcome, e.occurred_at)
            return leg
        # Before any call (or while waiting after a transfer) a no-show or cancel ends the visit itself.
        if self.legs and self.legs[-1].outcome is not LegOutcome.TRANSFERRED:
            self.add(f"{outcome}_without_open_leg")
        self.terminal = outcome
        return None

    def _new_leg(self, e: QueueEvent, window: int) -> _LegDraft:
        leg = _LegDraft(index=len(self.legs), window=window, service=e.service)
        leg.note_operator(e.operator)
        previous = self.legs[-1] if self.legs else None
        if self.transfer is not None:
            transfer, self.transfer = self.transfer, None
            if transfer.from_leg is not None:
                self.legs[transfer.from_leg].transferred_to = leg.index
            if transfer.to_service is not None:
                leg.service = transfer.to_service
            if transfer.to_window is not None and transfer.to_window != window:
                leg.add("called_at_unexpected_window")
        elif previous is not None and previous.outcome in _CLOSED:
            leg.add(f"reopened_after_{previous.outcome}")
        if self.terminal is not None:
            leg.add(f"reopened_after_{self.terminal}")
            self.terminal = None
        self.legs.append(leg)
        self.open = leg
        return leg

    def _close(self, outcome: LegOutcome, at: datetime, anomaly: str | None = None) -> None:
        leg = self.open
        if leg is None:
            return
        leg.ended_at, leg.outcome = at, outcome
        if anomaly is not None:
            leg.add(anomaly)
        self.open = None

    def finish(self, tz: ZoneInfo, shifts: Sequence[Shift], now: datetime, refs: list[tuple[str, str]]) -> Visit:
        day_end = end_of_service_day(self.key.service_date, tz)
        if self.open is not None and now >= day_end:
            self._close(LegOutcome.UNTERMINATED, day_end, "still_open_at_end_of_day")
        if self.issued is None:
            self.add("no_issue_event")
        if self.terminal is not None:
            outcome = self.terminal
        elif self.legs:
            outcome = self.legs[-1].outcome
        elif now >= day_end:
            # A ticket nobody called by the end of its day did not stay open; it went unterminated.
            outcome = LegOutcome.UNTERMINATED
            self.add("never_called")
        else:
            outcome = LegOutcome.OPEN
        if self.loose_ids and self.legs:
            _extend(self.legs[-1].application_ids, self.loose_ids)
        service = self.first_service
        priority = self.first_priority
        if self.issued is not None:
            service = self.issued.service or service
            priority = self.issued.priority if self.issued.priority is not None else priority
        legs: list[Leg] = []
        current = service  # a leg keeps the service it was transferred with, or the one before it
        for draft in self.legs:
            current = draft.service or current
            at = draft.called_at or draft.started_at or draft.ended_at
            operator, source = leg_operator(draft.operator, shifts, self.key.center, draft.window, at)
            legs.append(Leg(
                draft.index, draft.window, operator, source, draft.called_at, draft.started_at, draft.ended_at,
                draft.outcome, current, tuple(draft.application_ids), draft.recalls, draft.transferred_to,
                tuple(draft.anomalies),
            ))  # fmt: skip
        issued_at = self.issued.occurred_at if self.issued is not None else None
        return Visit(
            self.key, False, service, priority, issued_at, tuple(legs), outcome, tuple(self.ids),
            tuple(self.anomalies), tuple(sorted(refs)),
        )  # fmt: skip


def _window(e: QueueEvent) -> int:
    if e.window is None:  # the event schema requires it for these types
        raise ValueError(f"{e.type.value} {e.source}/{e.event_id} has no window")
    return e.window
