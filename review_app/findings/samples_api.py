"""GET /api/v1/samples (the sampled sessions to review), POST …/{id}/review, GET /api/v1/operators/{op}/scorecard."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import ValidationError
from sqlalchemy.orm import Session

from review_app.audit.entries import AuditAction
from review_app.audit.log import AuditLog
from review_app.auth.dependencies import CurrentUser
from review_app.auth.roles import User
from review_app.deps import AppServices, ServicesDep
from review_app.findings.guards import Reviewer, visible_operator_centers, visible_sample
from review_app.findings.models import SamplePage, SampleReviewIn, SampleView, Scorecard
from review_app.findings.samples import (
    SampleAlreadyReviewed,
    SampleFilter,
    count_samples,
    list_samples,
    review_sample,
    sample_view,
)
from review_app.findings.scope import scope_of
from review_app.findings.scorecard import scorecard

router = APIRouter(prefix="/api/v1", tags=["findings"])
DEFAULT_PERIOD_DAYS = 30


def audited_samples(session: Session, filters: SampleFilter, user: User, services: AppServices) -> SamplePage:
    scope = scope_of(user, services.access)
    total = count_samples(session, filters, scope)
    items = list_samples(session, filters, scope)
    asked = {name: str(value) for name, value in filters.model_dump(exclude_defaults=True).items()}
    AuditLog(session, services.clock).append(AuditAction.SEARCH, actor=user.username, object_type="samples",
                                             detail={**asked, "results": total})  # fmt: skip
    return SamplePage(total=total, limit=filters.limit, offset=filters.offset, items=items)


def period(today: date, date_from: date | None, date_to: date | None) -> tuple[date, date]:
    """The scorecard's service dates, both included: by default the 30 days up to today (UTC)."""
    end = date_to or today
    start = date_from or end - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if end < start:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "date_to: before date_from")
    return start, end


def audited_scorecard(session: Session, operator: str, user: User, services: AppServices, date_from: date | None,
                      date_to: date | None) -> Scorecard:  # fmt: skip
    start, end = period(services.clock().date(), date_from, date_to)
    centers = visible_operator_centers(session, services, user, operator)
    card = scorecard(session, operator, centers, start, end)
    AuditLog(session, services.clock).append(AuditAction.SEARCH, actor=user.username, object_type="operator",
                                             object_id=operator, detail={"scorecard_from": start.isoformat(),
                                                                         "scorecard_to": end.isoformat()})  # fmt: skip
    return card


@router.get("/samples")
def sampled_sessions(
    user: CurrentUser,
    services: ServicesDep,
    center: str | None = None,
    operator: str | None = None,
    reviewed: bool | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> SamplePage:
    """Sessions drawn at random for review (`seffaf samples draw`), in your scope: unreviewed first, oldest first."""
    try:
        filters = SampleFilter(center=center, operator=operator, reviewed=reviewed, date_from=date_from,
                               date_to=date_to, limit=limit, offset=offset)  # fmt: skip
    except ValidationError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, exc.errors(include_url=False)) from exc
    with services.catalog.sessions() as session, session.begin():
        return audited_samples(session, filters, user, services)


@router.get("/samples/{sample_id}")
def read_sample(sample_id: int, user: CurrentUser, services: ServicesDep) -> SampleView:
    with services.catalog.sessions() as session, session.begin():
        return sample_view(session, visible_sample(session, services, user, sample_id))


@router.post("/samples/{sample_id}/review")
def review_sampled_session(sample_id: int, body: SampleReviewIn, user: Reviewer, services: ServicesDep) -> SampleView:
    """Mark a sampled session reviewed (no_issue or concern, with a note); once only, audited."""
    with services.catalog.sessions() as session, session.begin():
        row = visible_sample(session, services, user, sample_id)
        try:
            review_sample(session, row, user.username, body.outcome, body.note, services.clock)
        except SampleAlreadyReviewed as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
        return sample_view(session, row)


@router.get("/operators/{operator}/scorecard")
def operator_scorecard(
    operator: str, user: CurrentUser, services: ServicesDep, date_from: date | None = None, date_to: date | None = None
) -> Scorecard:
    """Sessions served, findings per principle, confirmed rate, sampled sessions reviewed (centres in your scope)."""
    with services.catalog.sessions() as session, session.begin():
        return audited_scorecard(session, operator, user, services, date_from, date_to)
