"""GET /api/v1/findings (the review queue), GET /api/v1/findings/{id}, POST …/verdicts and …/replies."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import ValidationError
from sqlalchemy.orm import Session

from review_app.audit.entries import AuditAction
from review_app.audit.log import AuditLog
from review_app.auth.dependencies import CurrentUser
from review_app.auth.roles import User
from review_app.deps import AppServices, ServicesDep
from review_app.findings.detail import finding_detail
from review_app.findings.guards import Reviewer, refusal_error, visible_finding
from review_app.findings.models import (
    FindingDetail,
    QueuePage,
    ReplyIn,
    ReplyView,
    SeverityFilter,
    StatusFilter,
    VerdictIn,
    VerdictResult,
)
from review_app.findings.queue import QueueFilter, count_queue, list_queue
from review_app.findings.reviews import FindingReviews, ReviewRefused
from review_app.findings.scope import actor_of, scope_of

router = APIRouter(prefix="/api/v1", tags=["findings"])


def audited_queue(session: Session, filters: QueueFilter, user: User, services: AppServices) -> QueuePage:
    """One page of the user's queue with its total; the listing is audited as a search."""
    scope = scope_of(user, services.access)
    total = count_queue(session, filters, scope)
    items = list_queue(session, filters, scope)
    asked = {name: value for name, value in filters.model_dump(exclude_defaults=True).items()}
    AuditLog(session, services.clock).append(AuditAction.SEARCH, actor=user.username, object_type="findings",
                                             detail={**asked, "results": total})  # fmt: skip
    return QueuePage(total=total, limit=filters.limit, offset=filters.offset, items=items)


def audited_detail(session: Session, finding_id: int, user: User, services: AppServices) -> FindingDetail:
    row = visible_finding(session, services, user, finding_id)
    detail = finding_detail(session, row, actor_of(user), services.clock)
    AuditLog(session, services.clock).append(AuditAction.SESSION_VIEW, actor=user.username, object_type="finding",
                                             object_id=str(finding_id))  # fmt: skip
    return detail


@router.get("/findings")
def review_queue(
    user: CurrentUser,
    services: ServicesDep,
    status_: Annotated[StatusFilter | None, Query(alias="status")] = None,
    severity: SeverityFilter | None = None,
    rule: str | None = None,
    center: str | None = None,
    operator: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> QueuePage:
    """Findings in your scope, most severe first, then oldest first; `status=pending` is what still needs a verdict."""
    try:
        filters = QueueFilter(status=status_, severity=severity, rule=rule, center=center, operator=operator,
                              limit=limit, offset=offset)  # fmt: skip
    except ValidationError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, exc.errors(include_url=False)) from exc
    with services.catalog.sessions() as session, session.begin():
        return audited_queue(session, filters, user, services)


@router.get("/findings/{finding_id}")
def read_finding(finding_id: int, user: CurrentUser, services: ServicesDep) -> FindingDetail:
    """The finding, its evidence with links to watch it, its verdicts and replies, and what you may do now."""
    with services.catalog.sessions() as session, session.begin():
        return audited_detail(session, finding_id, user, services)


@router.post("/findings/{finding_id}/verdicts", status_code=status.HTTP_201_CREATED)
def give_verdict(finding_id: int, body: VerdictIn, user: Reviewer, services: ServicesDep) -> VerdictResult:
    """Confirm, dismiss or escalate, with a comment. High severity: final only after a senior's second verdict."""
    with services.catalog.sessions() as session, session.begin():
        row = visible_finding(session, services, user, finding_id, lock=True)
        try:
            given = FindingReviews(session, services.clock).give(row, actor_of(user), body.verdict, body.comment, "api")
        except ReviewRefused as refused:
            raise refusal_error(user, finding_id, refused.refused) from refused
    return VerdictResult(finding_id=finding_id, verdict_id=given.verdict_id, status=given.status, final=given.final)


@router.post("/findings/{finding_id}/replies", status_code=status.HTTP_201_CREATED)
def attach_reply(finding_id: int, body: ReplyIn, user: Reviewer, services: ServicesDep) -> ReplyView:
    """Attach the operator's reply, on the operator's behalf (you are recorded as attaching it); closed once final."""
    with services.catalog.sessions() as session, session.begin():
        row = visible_finding(session, services, user, finding_id, lock=True)
        try:
            reply = FindingReviews(session, services.clock).reply(row, user.username, body.text, "api")
        except ReviewRefused as refused:
            raise refusal_error(user, finding_id, refused.refused) from refused
        return ReplyView(id=reply.id, operator=reply.operator, text=reply.text, attached_by=reply.attached_by,
                         attached_at=reply.attached_at)  # fmt: skip
