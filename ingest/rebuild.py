"""Re-deriving the service sessions a batch touched, from the events in the catalog.

Late and out-of-order events are normal: any batch that touches a ticket rebuilds that
ticket's visit from all its events; one that touches a login/logout rebuilds the day's shifts
and every visit of that day (operator attribution may change).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

from ingest.events import EventType, QueueEvent
from ingest.sessions import (
    LegOutcome,
    Visit,
    VisitKey,
    build_visit,
    build_walk_ins,
    end_of_service_day,
    window_overlaps,
)
from ingest.shifts import Shift, build_shifts
from ingest.writer import Affected, VisitRef
from seffaf.catalog.bulk import insert_rows
from seffaf.catalog.event_tables import QueueEventRow
from seffaf.catalog.session_tables import LegRow, ShiftRow, VisitApplicationRow, VisitRow
from seffaf.catalog.sites_repo import center_timezones
from seffaf.clock import Clock

SHIFT_TYPES = (EventType.OPERATOR_LOGIN.value, EventType.OPERATOR_LOGOUT.value)


def row_to_event(row: QueueEventRow) -> QueueEvent:
    # Rows were validated on the way in; construct without re-validating (hot path).
    return QueueEvent.model_construct(
        source=row.source, event_id=row.event_id, type=EventType(row.type), center=row.center,
        occurred_at=row.occurred_at, ticket=row.ticket, service=row.service, priority=row.priority,
        window=row.window, operator=row.operator, application_ids=list(row.application_ids or []),
        to_window=row.to_window, to_service=row.to_service,
    )  # fmt: skip


class SessionRebuilder:
    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock
        self._zones = {center: ZoneInfo(name) for center, name in center_timezones(session).items()}

    def rebuild(self, affected: Affected, whole_days: bool = True) -> int:
        """Rebuild what `affected` names; returns the number of visits written.

        whole_days: a day whose shifts changed is rebuilt entirely (file ingest: also marks
        windows serving two tickets at once). Otherwise (small HTTP batches) only the named
        tickets and the visits whose operator came from a shift are rebuilt.
        """
        now = self._clock()
        by_day: dict[tuple[str, date], set[str | None]] = defaultdict(set)
        for ref in [*affected.visits, *self._open_visits_of_ended_days(now)]:
            by_day[(ref.center, ref.service_date)].add(ref.ticket)
        for day in affected.shift_days:
            self._rebuild_shifts(day, now)
            if not whole_days:
                by_day[day] |= self._shift_dependent_tickets(day)
        written = 0
        for day in sorted(set(by_day) | affected.shift_days):
            whole_day = whole_days and day in affected.shift_days
            written += self._rebuild_day(day, None if whole_day else by_day[day], now)
        return written

    def _open_visits_of_ended_days(self, now: datetime) -> list[VisitRef]:
        """Visits still open although their day is over: rebuilt, they close as unterminated."""
        rows = self._session.execute(
            select(VisitRow.center, VisitRow.service_date, VisitRow.ticket, VisitRow.walk_in).where(
                VisitRow.outcome == LegOutcome.OPEN.value, VisitRow.service_date <= now.date()
            )
        )
        stale = []
        for center, service_date, ticket, walk_in in rows:
            zone = self._zones.get(center)
            if zone is not None and end_of_service_day(service_date, zone) <= now:
                stale.append(VisitRef(center, service_date, None if walk_in else ticket))
        return stale

    def _shift_dependent_tickets(self, day: tuple[str, date]) -> set[str | None]:
        """Tickets of the day with a leg whose operator came (or could come) from a shift."""
        center, service_date = day
        query = (
            select(VisitRow.ticket)
            .join(LegRow, LegRow.visit_id == VisitRow.id)
            .where(VisitRow.center == center, VisitRow.service_date == service_date, VisitRow.walk_in.is_(False))
            .where(LegRow.operator_source != "event")
            .distinct()
        )
        return set(self._session.scalars(query))

    def _rebuild_shifts(self, day: tuple[str, date], now: datetime) -> None:
        center, service_date = day
        rows = self._session.scalars(
            select(QueueEventRow)
            .where(QueueEventRow.center == center, QueueEventRow.service_date == service_date)
            .where(QueueEventRow.type.in_(SHIFT_TYPES))
        )
        shifts = build_shifts([row_to_event(row) for row in rows], now)
        self._session.execute(delete(ShiftRow).where(ShiftRow.center == center, ShiftRow.service_date == service_date))
        for shift in shifts:
            self._session.add(
                ShiftRow(
                    center=shift.center,
                    service_date=service_date,
                    window=shift.window,
                    operator=shift.operator,
                    login_at=shift.login_at,
                    logout_at=shift.logout_at,
                    anomalies=list(shift.anomalies),
                )
            )
        self._session.flush()

    def _shifts(self, center: str, service_date: date) -> list[Shift]:
        rows = self._session.scalars(
            select(ShiftRow).where(ShiftRow.center == center, ShiftRow.service_date == service_date)
        )
        return [Shift(r.center, r.window, r.operator, r.login_at, r.logout_at, tuple(r.anomalies or ())) for r in rows]

    def _rebuild_day(self, day: tuple[str, date], tickets: set[str | None] | None, now: datetime) -> int:
        """Rebuild the named tickets of one centre-day (all of them when tickets is None)."""
        center, service_date = day
        zone = self._zones.get(center)
        if zone is None:
            return 0
        query = (
            select(QueueEventRow)
            .where(QueueEventRow.center == center, QueueEventRow.service_date == service_date)
            .where(QueueEventRow.type.not_in(SHIFT_TYPES))
        )
        named = {t for t in tickets or () if t is not None}
        walk_ins = tickets is None or None in tickets
        if tickets is not None:
            condition = QueueEventRow.ticket.in_(named)
            query = query.where(condition | QueueEventRow.ticket.is_(None)) if walk_ins else query.where(condition)
        events_by_ticket: dict[str | None, list[QueueEvent]] = defaultdict(list)
        for row in self._session.scalars(query):
            events_by_ticket[row.ticket].append(row_to_event(row))
        shifts = self._shifts(center, service_date)
        visits = [build_visit(events, zone, shifts, now) for t, events in events_by_ticket.items() if t is not None]
        if walk_ins:
            visits.extend(build_walk_ins(events_by_ticket.get(None, []), zone, shifts, now))
        if tickets is None:  # the whole day is at hand: mark windows serving two tickets at once
            visits = mark_window_overlaps(visits, now)
        replace = named | {ticket for ticket in events_by_ticket if ticket is not None}
        self._delete_visits(center, service_date, replace if tickets is not None else None, walk_ins)
        self._insert_visits(visits)
        return len(visits)

    def _delete_visits(self, center: str, service_date: date, tickets: Iterable[str] | None, walk_ins: bool) -> None:
        query = delete(VisitRow).where(VisitRow.center == center, VisitRow.service_date == service_date)
        if tickets is not None:
            condition = VisitRow.ticket.in_(list(tickets))
            query = query.where(condition | VisitRow.walk_in.is_(True)) if walk_ins else query.where(condition)
        ids = select(VisitRow.id).where(query.whereclause) if query.whereclause is not None else None
        if ids is not None:  # children first: bulk deletes skip ORM cascades and SQLite may lack FK enforcement
            self._session.execute(delete(LegRow).where(LegRow.visit_id.in_(ids)))
            self._session.execute(delete(VisitApplicationRow).where(VisitApplicationRow.visit_id.in_(ids)))
        self._session.execute(query)

    def _insert_visits(self, visits: Sequence[Visit]) -> None:
        if not visits:
            return
        visit_rows = [
            {
                "center": v.key.center,
                "service_date": v.key.service_date,
                "ticket": v.key.ticket,
                "walk_in": v.walk_in,
                "service": v.service,
                "priority": v.priority,
                "issued_at": v.issued_at,
                "outcome": v.outcome.value,
                "application_ids": list(v.application_ids),
                "anomalies": list(v.anomalies),
            }
            for v in visits
        ]
        # Core inserts (see ingest/writer.py): one batched statement per table, ids in row order.
        table = cast(Table, VisitRow.__table__)
        ids = self._session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), visit_rows)
        leg_rows: list[dict[str, object]] = []
        app_rows: list[dict[str, object]] = []
        for visit_id, visit in zip(ids.all(), visits, strict=True):
            for leg in visit.legs:
                leg_rows.append(
                    {
                        "visit_id": visit_id,
                        "idx": leg.index,
                        "center": visit.key.center,
                        "window": leg.window,
                        "operator": leg.operator,
                        "operator_source": leg.operator_source,
                        "called_at": leg.called_at,
                        "started_at": leg.started_at,
                        "ended_at": leg.ended_at,
                        "outcome": leg.outcome.value,
                        "service": leg.service,
                        "application_ids": list(leg.application_ids),
                        "recalls": leg.recalls,
                        "transferred_to": leg.transferred_to,
                        "anomalies": list(leg.anomalies),
                    }
                )
            app_rows.extend({"visit_id": visit_id, "application_id": a} for a in dict.fromkeys(visit.application_ids))
        insert_rows(self._session.connection(), cast(Table, LegRow.__table__), leg_rows)
        insert_rows(self._session.connection(), cast(Table, VisitApplicationRow.__table__), app_rows)
        self._session.flush()


def mark_window_overlaps(visits: list[Visit], now: datetime) -> list[Visit]:
    """Add `window_busy_with:<ticket>` to both legs wherever one window served two tickets at once."""
    extra: dict[tuple[VisitKey, int], list[str]] = defaultdict(list)
    for key_a, leg_a, key_b, leg_b in window_overlaps(visits, now):
        extra[(key_a, leg_a)].append(f"window_busy_with:{key_b.ticket}")
        extra[(key_b, leg_b)].append(f"window_busy_with:{key_a.ticket}")
    if not extra:
        return visits
    marked = []
    for visit in visits:
        legs = tuple(
            replace(leg, anomalies=(*leg.anomalies, *extra[(visit.key, leg.index)]))
            if (visit.key, leg.index) in extra
            else leg
            for leg in visit.legs
        )
        marked.append(replace(visit, legs=legs))
    return marked


def all_days(session: Session) -> Affected:
    """Everything: used by `seffaf ingest rebuild` and `seffaf catalog rebuild`."""
    affected = Affected()
    for center, service_date in session.execute(select(QueueEventRow.center, QueueEventRow.service_date).distinct()):
        affected.shift_days.add((center, service_date))
        affected.visits.add(VisitRef(center, service_date, None))
    return affected
