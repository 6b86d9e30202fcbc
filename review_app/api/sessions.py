"""GET /api/v1/sessions and /api/v1/sessions/{id}: search and read service sessions, within the user's scope."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from indexer.session_views import SessionFilter, VisitView, get_visit, search_page
from policies.finding_views import FindingView
from review_app.audit.entries import AuditAction
from review_app.audit.log import AuditLog
from review_app.auth.denials import not_found, not_found_unless
from review_app.auth.dependencies import CurrentUser
from review_app.auth.roles import User
from review_app.auth.scope import sees_all_centers
from review_app.deps import AppServices, ServicesDep
from review_app.pages.visit_findings import findings_by_leg
from seffaf.catalog.audit_tables import DetailValue

router = APIRouter(prefix="/api/v1", tags=["sessions"])


class SessionPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[VisitView]


class SessionDetail(BaseModel):
    session: VisitView
    findings: list[FindingView]


def scoped(filters: SessionFilter, user: User, services: AppServices) -> SessionFilter:
    """The user's scope, applied inside the query so totals and pages never count hidden sessions."""
    hidden = user.operator_links if services.access.block_linked_operators else frozenset()
    centers = None if sees_all_centers(user) else user.centers
    return filters.model_copy(update={"scope_centers": centers, "hidden_operators": hidden})


def audited_search(
    session: Session, asked: SessionFilter, user: User, services: AppServices
) -> tuple[int, list[VisitView]]:
    """The total and the page of what `asked` finds within the user's scope; the search is audited (as asked)."""
    filters = scoped(asked, user, services)
    total, items = search_page(session, filters, services.clock)
    detail: dict[str, DetailValue] = {
        name: value if isinstance(value, str | int | bool) else str(value)
        for name, value in asked.model_dump(exclude_defaults=True).items()
    }
    AuditLog(session, services.clock).append(AuditAction.SEARCH, actor=user.username,
                                             detail={**detail, "results": total})  # fmt: skip
    return total, items


@router.get("/sessions")
def search_sessions(
    user: CurrentUser,
    services: ServicesDep,
    ticket: str | None = None,
    application: str | None = None,
    operator: str | None = None,
    center: str | None = None,
    window: Annotated[int | None, Query(ge=1)] = None,
    service: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    finding_rule: str | None = None,
    finding_severity: Literal["low", "medium", "high"] | None = None,
    finding_status: Literal["open", "confirmed", "dismissed"] | None = None,
    coverage_below_full: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> SessionPage:
    """Service sessions matching every given filter, oldest first, with the total for paging.

    Items are summaries: their legs carry coverage and holes but no segments or observations;
    `GET /api/v1/sessions/{id}` has those.
    """
    try:
        asked = SessionFilter(ticket=ticket, application=application, operator=operator, center=center,
                              window=window, service=service, date_from=date_from, date_to=date_to,
                              finding_rule=finding_rule, finding_severity=finding_severity,
                              finding_status=finding_status, coverage_below_full=coverage_below_full,
                              limit=limit, offset=offset)  # fmt: skip
    except ValidationError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, exc.errors(include_url=False)) from exc
    with services.catalog.sessions() as session, session.begin():
        total, items = audited_search(session, asked, user, services)
    return SessionPage(total=total, limit=limit, offset=offset, items=items)


@router.get("/sessions/{visit_id}")
def read_session(visit_id: int, user: CurrentUser, services: ServicesDep) -> SessionDetail:
    """One visit with its legs, footage links, coverage, observations and the findings raised on it."""
    with services.catalog.sessions() as session, session.begin():
        visit = get_visit(session, visit_id, services.clock)
        if visit is None:
            raise not_found("session", str(visit_id))
        allowed = services.access.can_access_all(user, visit.center, [leg.operator for leg in visit.legs])
        not_found_unless(allowed, user, "session", str(visit_id))
        by_leg = findings_by_leg(session, visit)  # the session page's own matching of findings to legs
        findings = sorted((f for leg in by_leg.values() for f in leg), key=lambda f: (f.start, f.id))
        AuditLog(session, services.clock).append(AuditAction.SESSION_VIEW, actor=user.username,
                                                 object_type="session", object_id=str(visit_id))  # fmt: skip
    return SessionDetail(session=visit, findings=findings)
