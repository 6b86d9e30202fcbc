"""The complaints table: recording a complaint, reading it back, and the visits it may be about.

The candidates are found in SQL (the ticket on the day, an application id, or legs at the stated
window or time at the centre that day); seffaf/cases/proposals.py scores and explains them.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from seffaf.cases.complaint_intake import ComplaintIn, local_span, service_date_of
from seffaf.cases.proposals import CandidateLeg, CandidateVisit, ComplaintFacts, Proposal, propose
from seffaf.cases.states import CaseConflict, CaseError, CaseNotFound
from seffaf.cases.views import ComplaintView
from seffaf.catalog.case_tables import CaseRow, ComplaintRow
from seffaf.catalog.session_tables import LegRow, VisitApplicationRow, VisitRow
from seffaf.catalog.sites_tables import CenterRow
from seffaf.clock import Clock

MAX_CANDIDATES = 500


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")  # the sites file checks zones; a centre row edited by hand still reads


def candidate_of(row: VisitRow) -> CandidateVisit:
    legs = tuple(CandidateLeg(leg.idx, leg.window, leg.operator, leg.called_at or leg.started_at, leg.ended_at,
                              tuple(leg.application_ids)) for leg in row.legs)  # fmt: skip
    return CandidateVisit(row.id, row.center, row.service_date, row.ticket, tuple(row.application_ids), legs)


class Complaints:
    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def zone(self, center: str) -> ZoneInfo:
        name = self._session.scalar(select(CenterRow.timezone).where(CenterRow.id == center))
        return _zone(name or "UTC")

    def record(self, body: ComplaintIn, actor: str) -> ComplaintRow:
        """A new complaint; its reference must be new and its centre known."""
        timezone = self._session.scalar(select(CenterRow.timezone).where(CenterRow.id == body.center))
        if timezone is None:
            raise CaseError(f"center: unknown centre {body.center!r}")
        if self.by_reference(body.reference) is not None:
            raise CaseConflict(f"reference: a complaint {body.reference!r} exists already")
        approx_from, approx_to = local_span(body, _zone(timezone))
        row = ComplaintRow(reference=body.reference, received_on=body.received_on, channel=body.channel,
                           center=body.center, window=body.window, approx_from=approx_from, approx_to=approx_to,
                           ticket=body.ticket, application_id=body.application_id, description=body.description,
                           created_by=actor, created_at=self._clock())  # fmt: skip
        self._session.add(row)
        self._session.flush()
        return row

    def get(self, complaint_id: int, lock: bool = False) -> ComplaintRow:
        """The complaint; `lock` (PostgreSQL) holds it until the transaction ends: one case per complaint."""
        query = select(ComplaintRow).where(ComplaintRow.id == complaint_id)
        row = self._session.scalar(query.with_for_update() if lock else query)
        if row is None:
            raise CaseNotFound(f"complaint: no complaint {complaint_id}")
        return row

    def by_reference(self, reference: str) -> ComplaintRow | None:
        return self._session.scalar(select(ComplaintRow).where(ComplaintRow.reference == reference))

    def case_of(self, complaint_id: int) -> int | None:
        return self._session.scalar(select(CaseRow.id).where(CaseRow.complaint_id == complaint_id).limit(1))

    def facts(self, row: ComplaintRow) -> ComplaintFacts:
        day = service_date_of(row.approx_from, self.zone(row.center))
        return ComplaintFacts(row.center, day, row.window, row.approx_from, row.approx_to, row.ticket,
                              row.application_id)  # fmt: skip

    def view(self, row: ComplaintRow) -> ComplaintView:
        facts = self.facts(row)
        return ComplaintView(id=row.id, reference=row.reference, received_on=row.received_on, channel=row.channel,
                             center=row.center, window=row.window, service_date=facts.service_date,
                             approx_from=row.approx_from, approx_to=row.approx_to, ticket=row.ticket,
                             application_id=row.application_id, description=row.description,
                             created_by=row.created_by, created_at=row.created_at,
                             case_id=self.case_of(row.id))  # fmt: skip

    def candidates(self, facts: ComplaintFacts) -> list[CandidateVisit]:
        """Visits at the complaint's centre the facts may point at (the scoring decides which they do)."""
        ids: set[int] = set()
        if facts.ticket and facts.service_date is not None:
            ids.update(self._session.scalars(select(VisitRow.id).where(
                VisitRow.center == facts.center, VisitRow.service_date == facts.service_date,
                VisitRow.ticket == facts.ticket)))  # fmt: skip
        if facts.application_id:
            ids.update(self._session.scalars(
                select(VisitApplicationRow.visit_id)
                .join(VisitRow, VisitRow.id == VisitApplicationRow.visit_id)
                .where(VisitApplicationRow.application_id == facts.application_id, VisitRow.center == facts.center)
            ))  # fmt: skip
        leads = []
        if facts.window is not None:
            leads.append(LegRow.window == facts.window)
        if facts.states_time and facts.approx_from is not None and facts.approx_to is not None:
            start = func.coalesce(LegRow.called_at, LegRow.started_at)
            end = func.coalesce(LegRow.ended_at, LegRow.called_at, LegRow.started_at)
            leads.append(and_(start < facts.approx_to, end >= facts.approx_from))
        if leads and facts.service_date is not None:
            ids.update(self._session.scalars(
                select(LegRow.visit_id).join(VisitRow, VisitRow.id == LegRow.visit_id)
                .where(VisitRow.center == facts.center, VisitRow.service_date == facts.service_date, or_(*leads))
                .distinct().limit(MAX_CANDIDATES)
            ))  # fmt: skip
        if not ids:
            return []
        rows = self._session.scalars(select(VisitRow).where(VisitRow.id.in_(sorted(ids))))
        return [candidate_of(row) for row in rows]

    def proposals(self, row: ComplaintRow) -> list[Proposal]:
        facts = self.facts(row)
        return propose(facts, self.candidates(facts), self.zone(row.center))
