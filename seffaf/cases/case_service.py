"""CaseService: what a complaint handler does, for the API, the pages and `seffaf cases` alike, audited.

Each method works inside the caller's transaction and appends its audit rows to it, so a change
and its record commit together. Who may do it (roles, centre scope) is the caller's check: the
service records `actor` as the one who did.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from indexer.coverage import DEFAULT_PAD_S
from review_app.audit.entries import AuditAction
from review_app.audit.log import AuditLog
from seffaf.cases.case_reads import CaseReader
from seffaf.cases.complaint_intake import ComplaintIn
from seffaf.cases.complaints import Complaints
from seffaf.cases.hold_sink import HoldSink, NoHoldSink
from seffaf.cases.holds import HoldChange, Holds
from seffaf.cases.proposals import Proposal
from seffaf.cases.states import CaseConflict, CaseError, CaseNotFound, CaseStatus, CaseStep, closing, next_status
from seffaf.cases.views import ClosedCase
from seffaf.catalog.audit_tables import DetailValue
from seffaf.catalog.case_tables import CaseNoteRow, CaseRow, CaseSessionRow, ComplaintRow
from seffaf.catalog.session_tables import VisitRow
from seffaf.clock import Clock

MAX_NOTE = 8000


class CaseService:
    def __init__(self, session: Session, clock: Clock, sink: HoldSink | None = None,
                 pad_s: float = DEFAULT_PAD_S) -> None:  # fmt: skip
        self._session = session
        self._clock = clock
        self._holds = Holds(session, clock, sink or NoHoldSink(), pad_s)
        self._complaints = Complaints(session, clock)
        self._audit = AuditLog(session, clock)

    @property
    def complaints(self) -> Complaints:
        return self._complaints

    def record_complaint(self, body: ComplaintIn, actor: str) -> ComplaintRow:
        row = self._complaints.record(body, actor)
        detail = {"reference": row.reference, "center": row.center, "channel": row.channel}
        self._audit.append(AuditAction.CASE_CHANGE, actor=actor, object_type="complaint", object_id=str(row.id),
                           reason="complaint recorded", detail=detail)  # fmt: skip
        return row

    def propose(self, complaint_id: int, actor: str) -> list[Proposal]:
        """The sessions the complaint may be about, best first; the look-up is audited as a search."""
        proposals = self._complaints.proposals(self._complaints.get(complaint_id))
        self._audit.append(AuditAction.SEARCH, actor=actor, object_type="complaint", object_id=str(complaint_id),
                           detail={"proposals": len(proposals)})  # fmt: skip
        return proposals

    def visits(self, visit_ids: Sequence[int]) -> list[VisitRow]:
        """The confirmed visits, each once, in the order given; a missing one names its id."""
        if not visit_ids:
            raise CaseError("visit_ids: confirm at least one session")
        rows = []
        for visit_id in dict.fromkeys(visit_ids):
            row = self._session.get(VisitRow, visit_id)
            if row is None:
                raise CaseNotFound(f"visit_ids: no session {visit_id}")
            rows.append(row)
        return rows

    def open_case(self, complaint_id: int, visits: Sequence[VisitRow], actor: str) -> CaseRow:
        """A case of the complaint with the confirmed sessions; every segment of theirs is held (with padding)."""
        complaint = self._complaints.get(complaint_id, lock=True)
        existing = self._complaints.case_of(complaint_id)
        if existing is not None:
            raise CaseConflict(f"complaint {complaint.reference!r} is case #{existing} already")
        if not visits:
            raise CaseError("visit_ids: confirm at least one session")
        now = self._clock()
        case = CaseRow(complaint_id=complaint_id, status=CaseStatus.OPEN.value, opened_by=actor, opened_at=now)
        self._session.add(case)
        self._session.flush()
        for visit in visits:
            self._session.add(CaseSessionRow(case_id=case.id, center=visit.center, service_date=visit.service_date,
                                             ticket=visit.ticket, added_by=actor, added_at=now))  # fmt: skip
        self._session.flush()
        sessions = [f"{v.center}/{v.service_date.isoformat()}/{v.ticket}" for v in visits]
        detail: dict[str, DetailValue] = {"complaint": complaint.reference, "status": case.status, "sessions": sessions}
        self._audit.append(AuditAction.CASE_CHANGE, actor=actor, object_type="case", object_id=str(case.id),
                           reason="case opened", detail=detail)  # fmt: skip
        self._audit_holds(case.id, actor, "placed", "case opened", self._holds.place(case.id, visits, actor))
        return case

    def lock(self, case_id: int) -> CaseRow:
        """The case, locked for a change (PostgreSQL): two handlers closing it at once close it once."""
        row = self._session.scalar(select(CaseRow).where(CaseRow.id == case_id).with_for_update())
        if row is None:
            raise CaseNotFound(f"case: no case {case_id}")
        return row

    def add_note(self, case_id: int, text: str, actor: str) -> CaseNoteRow:
        case = self.lock(case_id)
        if not text.strip():
            raise CaseError("text: the note is empty")
        if len(text) > MAX_NOTE:
            raise CaseError(f"text: at most {MAX_NOTE} characters")
        next_status(CaseStatus(case.status), CaseStep.NOTE)
        note = CaseNoteRow(case_id=case_id, author=actor, at=self._clock(), text=text.strip())
        self._session.add(note)
        self._session.flush()
        self._audit.append(AuditAction.CASE_CHANGE, actor=actor, object_type="case", object_id=str(case_id),
                           reason="note added", detail={"note": note.id})  # fmt: skip
        return note

    def start_review(self, case_id: int, actor: str) -> CaseRow:
        case = self.lock(case_id)
        before = case.status
        case.status = next_status(CaseStatus(case.status), CaseStep.REVIEW).value
        self._session.flush()
        self._audit.append(AuditAction.CASE_CHANGE, actor=actor, object_type="case", object_id=str(case_id),
                           reason="review started", detail={"from": before, "status": case.status})  # fmt: skip
        return case

    def close(self, case_id: int, outcome: str, reason: str, actor: str) -> ClosedCase:
        """Close with an outcome and a reason; the case's holds are released with that reason (the only way)."""
        asked = closing(outcome, reason)
        case = self.lock(case_id)
        before = case.status
        case.status = next_status(CaseStatus(case.status), CaseStep.CLOSE).value
        case.outcome, case.close_reason = asked.outcome.value, asked.reason
        case.closed_by, case.closed_at = actor, self._clock()
        self._session.flush()
        self._audit.append(AuditAction.CASE_CHANGE, actor=actor, object_type="case", object_id=str(case_id),
                           reason=asked.reason,
                           detail={"from": before, "status": case.status, "outcome": case.outcome})  # fmt: skip
        released = self._holds.release(case_id, actor, asked.reason)
        self._audit_holds(case_id, actor, "released", asked.reason, released)
        return ClosedCase(id=case_id, status=CaseStatus.CLOSED, outcome=asked.outcome, reason=asked.reason,
                          holds_released=released.count, store_holds_lifted=released.store_changed)  # fmt: skip

    def reader(self) -> CaseReader:
        return CaseReader(self._session, self._clock)

    def _audit_holds(self, case_id: int, actor: str, change: str, reason: str, done: HoldChange) -> None:
        self._audit.append(AuditAction.HOLD_CHANGE, actor=actor, object_type="case", object_id=str(case_id),
                           reason=reason, detail={change: done.count, "segments": done.runs,
                                                  "store": done.store_changed})  # fmt: skip
