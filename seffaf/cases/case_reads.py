"""Reading cases: one case with everything linked to it, the list of cases in a scope, who a case concerns.

A case concerns its complaint's centre and each session's centre and operators; routes decide
from that (review_app/cases/guards.py) whether a user may see it. Lists apply the scope in SQL,
so totals never count hidden cases.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select, and_, exists, func, select
from sqlalchemy.orm import Session

from policies.finding_views import FindingFilter, search_findings
from seffaf.cases.complaints import Complaints
from seffaf.cases.hold_sink import NoHoldSink
from seffaf.cases.holds import Holds
from seffaf.cases.states import CaseNotFound, CaseStatus, Outcome
from seffaf.cases.views import (
    CaseDetail,
    CasePage,
    CaseSessionView,
    CaseSummary,
    ExportView,
    HoldsView,
    NoteView,
)
from seffaf.catalog.case_tables import CaseNoteRow, CaseRow, CaseSessionRow, ComplaintRow, ExportRow
from seffaf.catalog.session_tables import LegRow, VisitRow
from seffaf.clock import Clock


@dataclass(frozen=True)
class Concerned:
    """One centre a case concerns and the operators of its sessions there (none: the complaint's centre)."""

    center: str
    operators: tuple[str | None, ...]


class CaseFilter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    status: CaseStatus | None = None
    scope_centers: frozenset[str] | None = Field(None, description="None: every centre")
    hidden_operators: frozenset[str] = frozenset()
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


def visit_of(session: Session, row: CaseSessionRow) -> VisitRow | None:
    return session.scalar(select(VisitRow).where(VisitRow.center == row.center,
                                                 VisitRow.service_date == row.service_date,
                                                 VisitRow.ticket == row.ticket))  # fmt: skip


def _session_view(row: CaseSessionRow, visit: VisitRow | None) -> CaseSessionView:
    legs = list(visit.legs) if visit is not None else []
    starts = [start for leg in legs if (start := leg.called_at or leg.started_at) is not None]
    ends = [leg.ended_at for leg in legs if leg.ended_at is not None]
    return CaseSessionView(center=row.center, service_date=row.service_date, ticket=row.ticket,
                           visit_id=visit.id if visit is not None else None, windows=[leg.window for leg in legs],
                           operators=sorted({leg.operator for leg in legs if leg.operator}),
                           first_call=min(starts) if starts else None, last_end=max(ends) if ends else None,
                           added_by=row.added_by, added_at=row.added_at)  # fmt: skip


def _scoped(query: Select[int], filters: CaseFilter) -> Select[int]:
    if filters.status is not None:
        query = query.where(CaseRow.status == filters.status.value)
    if filters.scope_centers is not None:
        centers = sorted(filters.scope_centers)
        query = query.where(ComplaintRow.center.in_(centers))
        elsewhere = exists().where(CaseSessionRow.case_id == CaseRow.id, CaseSessionRow.center.not_in(centers))
        query = query.where(~elsewhere)
    if filters.hidden_operators:
        same_visit = and_(CaseSessionRow.center == VisitRow.center, CaseSessionRow.ticket == VisitRow.ticket,
                          CaseSessionRow.service_date == VisitRow.service_date)  # fmt: skip
        linked = (
            select(LegRow.id)
            .join(VisitRow, VisitRow.id == LegRow.visit_id)
            .join(CaseSessionRow, same_visit)
            .where(CaseSessionRow.case_id == CaseRow.id, LegRow.operator.in_(sorted(filters.hidden_operators)))
        )
        query = query.where(~linked.exists())
    return query


class CaseReader:
    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def row(self, case_id: int) -> CaseRow:
        row = self._session.get(CaseRow, case_id)
        if row is None:
            raise CaseNotFound(f"case: no case {case_id}")
        return row

    def session_rows(self, case_id: int) -> list[CaseSessionRow]:
        query = select(CaseSessionRow).where(CaseSessionRow.case_id == case_id)
        return list(self._session.scalars(query.order_by(CaseSessionRow.service_date, CaseSessionRow.ticket)))

    def concerns(self, case_id: int) -> list[Concerned]:
        """The centres and operators the case concerns: who may see it follows from these."""
        case = self.row(case_id)
        concerned = []
        if case.complaint_id is not None:
            complaint = self._session.get(ComplaintRow, case.complaint_id)
            if complaint is not None:
                concerned.append(Concerned(complaint.center, ()))
        for row in self.session_rows(case_id):
            visit = visit_of(self._session, row)
            operators = tuple(leg.operator for leg in visit.legs) if visit is not None else ()
            concerned.append(Concerned(row.center, operators))
        return concerned

    def detail(self, case_id: int) -> CaseDetail:
        case = self.row(case_id)
        complaints = Complaints(self._session, self._clock)
        complaint = complaints.view(complaints.get(case.complaint_id)) if case.complaint_id is not None else None
        sessions, findings = [], []
        for row in self.session_rows(case_id):
            sessions.append(_session_view(row, visit_of(self._session, row)))
            asked = FindingFilter(ticket=row.ticket, center=row.center, service_date=row.service_date, limit=1000)
            findings += [f for f in search_findings(self._session, asked) if f.subject.startswith("leg:")]
        notes = self._session.scalars(select(CaseNoteRow).where(CaseNoteRow.case_id == case_id)
                                      .order_by(CaseNoteRow.at, CaseNoteRow.id))  # fmt: skip
        exports = self._session.scalars(select(ExportRow).where(ExportRow.case_id == case_id).order_by(ExportRow.id))
        holds = Holds(self._session, self._clock, NoHoldSink()).summary(case_id)
        return CaseDetail(
            id=case.id, status=CaseStatus(case.status), outcome=Outcome(case.outcome) if case.outcome else None,
            close_reason=case.close_reason, opened_by=case.opened_by, opened_at=case.opened_at,
            closed_by=case.closed_by, closed_at=case.closed_at, complaint=complaint, sessions=sessions,
            findings=findings, notes=[NoteView(id=n.id, author=n.author, at=n.at, text=n.text) for n in notes],
            exports=[ExportView(id=e.id, file_name=e.file_name, package_sha256=e.package_sha256,
                                manifest_sha256=e.manifest_sha256, redacted=e.redacted, reason=e.reason,
                                exported_by=e.exported_by, exported_at=e.exported_at) for e in exports],
            holds=HoldsView(active=holds.active, released=holds.released, store_held=holds.store_held,
                            runs=holds.runs),
        )  # fmt: skip

    def list(self, filters: CaseFilter) -> CasePage:
        """Newest first, within the filter's scope."""
        base = _scoped(select(CaseRow.id).outerjoin(ComplaintRow, ComplaintRow.id == CaseRow.complaint_id), filters)
        total = self._session.scalar(select(func.count()).select_from(base.subquery())) or 0
        ids = list(self._session.scalars(base.order_by(CaseRow.id.desc()).limit(filters.limit)
                                         .offset(filters.offset)))  # fmt: skip
        query = (
            select(CaseRow, ComplaintRow.reference, ComplaintRow.center)
            .outerjoin(ComplaintRow, ComplaintRow.id == CaseRow.complaint_id)
            .where(CaseRow.id.in_(ids))
        )
        found = {case.id: (case, reference, center) for case, reference, center in self._session.execute(query)}
        per_case = select(CaseSessionRow.case_id, func.count()).where(CaseSessionRow.case_id.in_(ids))
        counts = {case_id: n for case_id, n in self._session.execute(per_case.group_by(CaseSessionRow.case_id))}
        holds = Holds(self._session, self._clock, NoHoldSink()).count_active(ids)
        items = []
        for case_id in ids:
            case, reference, center = found[case_id]
            items.append(CaseSummary(id=case.id, complaint_id=case.complaint_id, complaint_reference=reference,
                                     center=center, status=CaseStatus(case.status),
                                     outcome=Outcome(case.outcome) if case.outcome else None,
                                     opened_by=case.opened_by, opened_at=case.opened_at, closed_at=case.closed_at,
                                     sessions=counts.get(case_id, 0), active_holds=holds.get(case_id, 0)))  # fmt: skip
        return CasePage(total=total, limit=filters.limit, offset=filters.offset, items=items)
