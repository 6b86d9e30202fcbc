"""The catalog's view of session legs, as the rules see them: RuleContext and evidence per leg."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from indexer.coverage import BEFORE_RECORDING, UNEXPLAINED
from indexer.session_views import LegObservationsView, leg_observations
from policies.context import CoverageContext, LegContext, QueueContext, RuleContext, SeenContext
from policies.queue_facts import QueuedTicket, duration_norms, waiting_longer_s
from policies.readiness import analysed_legs
from policies.ruleset import Evidence
from policies.subjects import Subject, TimeRange, leg_key
from seffaf.catalog.session_tables import LegRow, ShiftRow, VisitRow
from seffaf.catalog.sites_tables import CenterRow

NORM_HISTORY = timedelta(days=28)
RECORDED = "recorded:"  # holes a recorder gap record explains
WAITED_OUT = ("unterminated", "open")  # never called and never cancelled: waiting to the end


def _seconds(start: datetime | None, end: datetime | None) -> float:
    return round((end - start).total_seconds(), 3) if start is not None and end is not None else 0.0


class LegSubjects:
    """Builds subjects for legs, loading each centre-day's queue, shifts and norms once."""

    def __init__(self, session: Session, now: datetime) -> None:
        self._session = session
        self._now = now
        self._zones: dict[str, ZoneInfo] = {}
        self._tickets: dict[tuple[str, date], list[QueuedTicket]] = {}
        self._shifts: dict[tuple[str, date], list[ShiftRow]] = {}
        self._norms: dict[tuple[str, date], dict[str, float]] = {}

    def build(self, legs: Sequence[LegRow]) -> list[Subject]:
        seen = leg_observations(self._session, list(legs), self._now)
        analysed = analysed_legs(self._session, legs)
        return [self._subject(leg, seen.get(leg.id), leg.id in analysed) for leg in legs]

    def _zone(self, center: str) -> ZoneInfo:
        if center not in self._zones:
            name = self._session.scalar(select(CenterRow.timezone).where(CenterRow.id == center))
            self._zones[center] = ZoneInfo(name or "UTC")
        return self._zones[center]

    def _subject(self, leg: LegRow, seen: LegObservationsView | None, analysed: bool) -> Subject:
        visit = leg.visit
        start = leg.called_at or leg.started_at or leg.ended_at or self._now
        end = leg.ended_at or self._now
        holes = [TimeRange(datetime.fromisoformat(h["start"]), datetime.fromisoformat(h["end"]), h["cause"])
                 for h in leg.holes or []]  # fmt: skip
        context = RuleContext(
            leg=self._leg_context(leg, visit, start, end),
            coverage=CoverageContext(
                ratio=leg.coverage if leg.coverage is not None else 0.0,
                unexplained_s=sum(_seconds(h.start, h.end) for h in holes if h.kind == UNEXPLAINED),
                recorded_gap_s=sum(_seconds(h.start, h.end) for h in holes if h.kind.startswith(RECORDED)),
                before_recording_s=sum(_seconds(h.start, h.end) for h in holes if h.kind == BEFORE_RECORDING),
            ),
            seen=self._seen_context(seen, analysed),
            queue=QueueContext(
                waiting_longer_s=self._waiting_longer(leg, visit),
                norm_duration_s=self._norm(visit.center, visit.service_date).get(leg.service or "", 0.0),
            ),
        )
        evidence: dict[Evidence, tuple[TimeRange, ...]] = {
            Evidence.LEG: (TimeRange(start, end, "leg"),),
            Evidence.HOLES: tuple(h for h in holes if h.kind != BEFORE_RECORDING),
        }
        if seen is not None:
            evidence[Evidence.OPERATOR_ABSENT] = tuple(TimeRange(i.start, i.end, i.kind) for i in seen.operator_absent)
            evidence[Evidence.RAISED_VOICE] = tuple(TimeRange(i.start, i.end, i.kind) for i in seen.raised_voice)
            evidence[Evidence.TAMPER] = tuple(TimeRange(i.start, i.end, i.kind) for i in seen.tamper)
        return Subject(
            key=leg_key(visit.center, visit.service_date, visit.ticket, leg.idx), kind="leg", center=visit.center,
            service_date=visit.service_date, window=leg.window, start=start, end=end, context=context,
            timezone=self._zone(visit.center), operator=leg.operator, ticket=visit.ticket, leg_index=leg.idx,
            visit_id=visit.id, evidence=evidence,
        )  # fmt: skip

    def _leg_context(self, leg: LegRow, visit: VisitRow, start: datetime, end: datetime) -> LegContext:
        previous = [p.ended_at for p in visit.legs if p.idx == leg.idx - 1]
        before = visit.issued_at if leg.idx == 0 else (previous[0] if previous else None)
        shifts = self._shifts_of(visit.center, visit.service_date)
        at_window = [s for s in shifts if s.window == leg.window and s.login_at <= start
                     and (s.logout_at is None or start < s.logout_at)]  # fmt: skip
        logged_in = any(leg.operator is None or s.operator == leg.operator for s in at_window)
        return LegContext(
            window=leg.window, operator=leg.operator or "", service=leg.service or "", outcome=leg.outcome,
            wait_s=_seconds(before, leg.called_at), duration_s=_seconds(start, end), recalls=leg.recalls,
            no_show_after_s=_seconds(start, end) if leg.outcome == "no_show" else 0.0,
            operator_logged_in=logged_in, shifts_reported=bool(shifts), walk_in=visit.walk_in,
        )  # fmt: skip

    @staticmethod
    def _seen_context(seen: LegObservationsView | None, analysed: bool) -> SeenContext:
        if seen is None:
            return SeenContext(operator_absent_s=0.0, citizen_seen_s=0.0, citizen_max=0, raised_voice_s=0.0,
                               tamper_s=0.0, analysed=False)  # fmt: skip
        return SeenContext(operator_absent_s=seen.operator_absent_s, citizen_seen_s=seen.citizen_seen_s,
                           citizen_max=seen.citizen_max, raised_voice_s=seen.raised_voice_s, tamper_s=seen.tamper_s,
                           analysed=analysed)  # fmt: skip

    def _shifts_of(self, center: str, day: date) -> list[ShiftRow]:
        if (center, day) not in self._shifts:
            query = select(ShiftRow).where(ShiftRow.center == center, ShiftRow.service_date == day)
            self._shifts[(center, day)] = list(self._session.scalars(query))
        return self._shifts[(center, day)]

    def _waiting_longer(self, leg: LegRow, visit: VisitRow) -> float:
        if leg.idx != 0 or leg.called_at is None:
            return 0.0  # a transfer is queued by the window that sent it, not in ticket order
        called = QueuedTicket(visit.ticket, visit.service, visit.priority, visit.issued_at, leg.called_at, False)
        return waiting_longer_s(called, leg.called_at, self._tickets_of(visit.center, visit.service_date))

    def _tickets_of(self, center: str, day: date) -> list[QueuedTicket]:
        if (center, day) not in self._tickets:
            first_call = (
                select(LegRow.visit_id, func.min(LegRow.called_at).label("called")).group_by(LegRow.visit_id).subquery()
            )
            rows = self._session.execute(
                select(VisitRow.ticket, VisitRow.service, VisitRow.priority, VisitRow.issued_at, VisitRow.outcome,
                       first_call.c.called)
                .outerjoin(first_call, first_call.c.visit_id == VisitRow.id)
                .where(VisitRow.center == center, VisitRow.service_date == day, VisitRow.walk_in.is_(False))
            )  # fmt: skip
            self._tickets[(center, day)] = [
                QueuedTicket(ticket, service, priority, issued, called, called is None and outcome in WAITED_OUT)
                for ticket, service, priority, issued, outcome, called in rows
            ]  # fmt: skip
        return self._tickets[(center, day)]

    def _norm(self, center: str, day: date) -> dict[str, float]:
        """Median completed-service duration per service over the four weeks before the leg's day."""
        if (center, day) not in self._norms:
            rows = self._session.execute(
                select(LegRow.service, LegRow.called_at, LegRow.ended_at)
                .join(VisitRow, VisitRow.id == LegRow.visit_id)
                .where(VisitRow.center == center, VisitRow.service_date >= day - NORM_HISTORY,
                       VisitRow.service_date < day, LegRow.outcome == "completed")
            )  # fmt: skip
            durations: dict[str, list[float]] = {}
            for service, called, ended in rows:
                if service is not None and called is not None and ended is not None:
                    durations.setdefault(service, []).append(_seconds(called, ended))
            self._norms[(center, day)] = duration_norms(durations)
        return self._norms[(center, day)]
