"""The complaints and cases API under /api/v1: intake, proposals, opening, notes, review, closing, reading.

Complaint handlers and admins only; objects outside the user's scope answer like missing ones.
Unsafe methods carry the X-CSRF-Token header (review_app/auth/dependencies.py).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from review_app.audit.entries import AuditAction
from review_app.audit.log import AuditLog
from review_app.auth.roles import User
from review_app.cases.guards import (
    Handler,
    case_error,
    case_filter,
    case_service,
    check_center,
    sees_visit,
    store_error,
    visible_case,
    visible_complaint,
    visible_visits,
)
from review_app.deps import AppServices, ServicesDep
from seffaf.cases.complaint_intake import ComplaintIn
from seffaf.cases.proposals import Proposal
from seffaf.cases.states import CaseError, CaseStatus, Outcome
from seffaf.cases.views import CaseDetail, CasePage, ClosedCase, ComplaintView, NoteView, ProposalList, ProposalView
from seffaf.storage.base import StoreError

router = APIRouter(prefix="/api/v1", tags=["cases"])


class CaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    complaint_id: int
    visit_ids: list[int] = Field(min_length=1, max_length=200, description="The sessions the handler confirmed.")


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    text: str = Field(min_length=1, max_length=8000)


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    outcome: Outcome
    reason: str = Field(min_length=1, max_length=4000, description="Why; also the reason the holds are released.")


class CaseState(BaseModel):
    id: int
    status: CaseStatus


def proposal_view(p: Proposal) -> ProposalView:
    return ProposalView(visit_id=p.visit_id, center=p.center, service_date=p.service_date, ticket=p.ticket,
                        score=p.score, exact=p.exact, why=list(p.why))  # fmt: skip


def record_complaint(session: Session, services: AppServices, user: User, body: ComplaintIn) -> ComplaintView:
    check_center(session, services, user, body.center)
    service = case_service(session, services)
    try:
        row = service.record_complaint(body, user.username)
    except CaseError as exc:
        raise case_error(exc) from exc
    return service.complaints.view(row)


def proposals_of(session: Session, services: AppServices, user: User, complaint_id: int) -> ProposalList:
    """The complaint and the sessions it may be about that the user may see, best first (audited as a search)."""
    row = visible_complaint(session, services, user, complaint_id)
    service = case_service(session, services)
    proposals = service.propose(complaint_id, user.username)
    shown = [proposal_view(p) for p in proposals if sees_visit(session, services, user, p.visit_id)]
    return ProposalList(complaint=service.complaints.view(row), proposals=shown)


def open_case(session: Session, services: AppServices, user: User, body: CaseIn) -> int:
    visible_complaint(session, services, user, body.complaint_id)
    visits = visible_visits(session, services, user, body.visit_ids)
    try:
        return case_service(session, services).open_case(body.complaint_id, visits, user.username).id
    except CaseError as exc:
        raise case_error(exc) from exc
    except StoreError as exc:
        raise store_error(exc) from exc


def read_case(session: Session, services: AppServices, user: User, case_id: int) -> CaseDetail:
    visible_case(session, services, user, case_id)
    detail = case_service(session, services).reader().detail(case_id)
    AuditLog(session, services.clock).append(AuditAction.SESSION_VIEW, actor=user.username, object_type="case",
                                             object_id=str(case_id))  # fmt: skip
    return detail


@router.post("/complaints", status_code=status.HTTP_201_CREATED)
def post_complaint(body: ComplaintIn, user: Handler, services: ServicesDep) -> ComplaintView:
    """Record a complaint: the day and times are local at the centre; a reference, not the complainant's name."""
    with services.catalog.sessions() as session, session.begin():
        return record_complaint(session, services, user, body)


@router.get("/complaints/{complaint_id}/proposals")
def get_proposals(complaint_id: int, user: Handler, services: ServicesDep) -> ProposalList:
    """The sessions the complaint may be about, best first, each with why; `exact` ones are named by it."""
    with services.catalog.sessions() as session, session.begin():
        return proposals_of(session, services, user, complaint_id)


@router.post("/cases", status_code=status.HTTP_201_CREATED)
def post_case(body: CaseIn, user: Handler, services: ServicesDep) -> CaseDetail:
    """Open the complaint's case with the confirmed sessions; every segment of theirs is held until it closes."""
    with services.catalog.sessions() as session, session.begin():
        case_id = open_case(session, services, user, body)
        return read_case(session, services, user, case_id)


@router.get("/cases")
def list_cases(
    user: Handler,
    services: ServicesDep,
    status_: Annotated[CaseStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> CasePage:
    """Cases in your scope, newest first."""
    with services.catalog.sessions() as session, session.begin():
        page = case_service(session, services).reader().list(case_filter(user, services, status_, limit, offset))
        AuditLog(session, services.clock).append(AuditAction.SEARCH, actor=user.username, object_type="cases",
                                                 detail={"status": status_, "results": page.total})  # fmt: skip
    return page


@router.get("/cases/{case_id}")
def get_case(case_id: int, user: Handler, services: ServicesDep) -> CaseDetail:
    """The case: its complaint, sessions (with current visit ids), findings, notes, exports and holds."""
    with services.catalog.sessions() as session, session.begin():
        return read_case(session, services, user, case_id)


@router.post("/cases/{case_id}/notes", status_code=status.HTTP_201_CREATED)
def post_note(case_id: int, body: NoteIn, user: Handler, services: ServicesDep) -> NoteView:
    with services.catalog.sessions() as session, session.begin():
        visible_case(session, services, user, case_id)
        try:
            note = case_service(session, services).add_note(case_id, body.text, user.username)
        except CaseError as exc:
            raise case_error(exc) from exc
        return NoteView(id=note.id, author=note.author, at=note.at, text=note.text)


@router.post("/cases/{case_id}/review")
def post_review(case_id: int, user: Handler, services: ServicesDep) -> CaseState:
    """Put an open case under review."""
    with services.catalog.sessions() as session, session.begin():
        visible_case(session, services, user, case_id)
        try:
            case = case_service(session, services).start_review(case_id, user.username)
        except CaseError as exc:
            raise case_error(exc) from exc
        return CaseState(id=case.id, status=CaseStatus(case.status))


@router.post("/cases/{case_id}/close")
def post_close(case_id: int, body: CloseIn, user: Handler, services: ServicesDep) -> ClosedCase:
    """Close with an outcome and a reason; the case's holds are released with that reason. Not reopened."""
    with services.catalog.sessions() as session, session.begin():
        visible_case(session, services, user, case_id)
        try:
            return case_service(session, services).close(case_id, body.outcome, body.reason, user.username)
        except CaseError as exc:
            raise case_error(exc) from exc
        except StoreError as exc:
            raise store_error(exc) from exc
