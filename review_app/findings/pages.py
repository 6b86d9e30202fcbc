"""GET /findings (the review queue), GET /findings/{id} (one finding, its evidence and history), and its forms.

The forms POST with the session's CSRF token (`csrf_token` field) and go back to the finding
(303); a refused verdict shows the finding again with the reason. Same rules, scope and audit as the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from policies.verdict_flow import Refusal, ReviewStatus
from review_app.auth.dependencies import CurrentUser
from review_app.auth.roles import User
from review_app.deps import AppServices, ServicesDep
from review_app.findings.api import audited_detail, audited_queue
from review_app.findings.guards import Reviewer, refusal_error, visible_finding
from review_app.findings.models import FindingDetail, ReplyIn, VerdictIn
from review_app.findings.page_forms import PAGE_SIZE, QueueForm, page_link, parse_form, queue_filter
from review_app.findings.reviews import FindingReviews, ReviewRefused
from review_app.findings.samples import SampleFilter, count_samples
from review_app.findings.scope import actor_of, scope_of
from review_app.media.responses import PRIVATE
from review_app.pages.centers import centers_by_id, centers_in_scope
from review_app.pages.search_form import paging
from review_app.web import TemplatesDep

router = APIRouter(include_in_schema=False)
STATUSES = ["pending", *(s.value for s in ReviewStatus), "all"]
SEVERITIES = ["high", "medium", "low"]
UNPROCESSABLE = status.HTTP_422_UNPROCESSABLE_CONTENT


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    who: str
    what: str
    text: str


def history(detail: FindingDetail) -> list[HistoryEntry]:
    """Verdicts and replies in the order they were given."""
    entries = [HistoryEntry(v.decided_at, v.reviewer, f"{v.verdict.value} → {v.status.value.replace('_', ' ')}",
                            v.comment) for v in detail.verdicts]  # fmt: skip
    entries += [HistoryEntry(r.attached_at, r.attached_by, f"reply of operator {r.operator or 'unknown'} attached",
                             r.text) for r in detail.replies]  # fmt: skip
    return sorted(entries, key=lambda entry: entry.at)


@router.get("/findings", response_class=HTMLResponse)
def queue_page(request: Request, user: CurrentUser, services: ServicesDep, templates: TemplatesDep) -> HTMLResponse:
    parsed = parse_form(QueueForm, request.query_params)
    form = parsed if isinstance(parsed, QueueForm) else QueueForm()
    with services.catalog.sessions() as session, session.begin():
        page = audited_queue(session, queue_filter(form), user, services)
        centers = centers_by_id(session, {item.center for item in page.items})
        samples = count_samples(session, SampleFilter(reviewed=False), scope_of(user, services.access))
        choices = centers_in_scope(session, user)
    pages = paging(page.total, form.page, PAGE_SIZE)
    links = {n: page_link("/findings", form, n) for n in (pages.previous, pages.next, 1, pages.pages) if n}
    context = {"form": form, "errors": [] if isinstance(parsed, QueueForm) else parsed, "page": page,
               "centers": centers, "center_choices": choices, "paging": pages, "links": links, "samples": samples,
               "statuses": STATUSES, "severities": SEVERITIES}  # fmt: skip
    code = status.HTTP_200_OK if isinstance(parsed, QueueForm) else UNPROCESSABLE
    return templates.TemplateResponse(request, "findings/queue.html", context, status_code=code, headers=PRIVATE)


def render_finding(request: Request, templates: TemplatesDep, services: AppServices, user: User, finding_id: int,
                   notice: str | None = None, code: int = status.HTTP_200_OK) -> HTMLResponse:  # fmt: skip
    with services.catalog.sessions() as session, session.begin():
        detail = audited_detail(session, finding_id, user, services)
        center = centers_by_id(session, {detail.finding.center})[detail.finding.center]
    context = {"detail": detail, "f": detail.finding, "center": center, "history": history(detail), "notice": notice,
               "decisions": [d.value for d in detail.allowed_decisions]}  # fmt: skip
    return templates.TemplateResponse(request, "findings/finding.html", context, status_code=code, headers=PRIVATE)


@router.get("/findings/{finding_id}", response_class=HTMLResponse)
def finding_page(finding_id: int, request: Request, user: CurrentUser, services: ServicesDep,
                 templates: TemplatesDep) -> HTMLResponse:  # fmt: skip
    return render_finding(request, templates, services, user, finding_id)


def back_to(finding_id: int) -> RedirectResponse:
    return RedirectResponse(f"/findings/{finding_id}", status_code=status.HTTP_303_SEE_OTHER)


def refused_page(request: Request, templates: TemplatesDep, services: AppServices, user: User, finding_id: int,
                 refused: ReviewRefused) -> HTMLResponse:  # fmt: skip
    """A state conflict shows the finding as it now stands; a refusal of the person is the audited 403."""
    if refused.refused.reason not in (Refusal.FINAL, Refusal.ALREADY_ESCALATED):
        raise refusal_error(user, finding_id, refused.refused)
    return render_finding(request, templates, services, user, finding_id, refused.refused.message,
                          status.HTTP_409_CONFLICT)  # fmt: skip


@router.post("/findings/{finding_id}/verdicts", response_class=HTMLResponse)
def verdict_form(
    finding_id: int, request: Request, user: Reviewer, services: ServicesDep, templates: TemplatesDep,
    verdict: Annotated[str, Form(max_length=16)] = "", comment: Annotated[str, Form(max_length=4000)] = "",
) -> Response:  # fmt: skip
    try:
        body = VerdictIn.model_validate({"verdict": verdict, "comment": comment.strip()})
    except ValidationError:
        notice = "Choose a verdict and say why in the comment."
        return render_finding(request, templates, services, user, finding_id, notice, UNPROCESSABLE)
    try:
        with services.catalog.sessions() as session, session.begin():
            row = visible_finding(session, services, user, finding_id, lock=True)
            FindingReviews(session, services.clock).give(row, actor_of(user), body.verdict, body.comment, "web")
    except ReviewRefused as refused:
        return refused_page(request, templates, services, user, finding_id, refused)
    return back_to(finding_id)


@router.post("/findings/{finding_id}/replies", response_class=HTMLResponse)
def reply_form(
    finding_id: int, request: Request, user: Reviewer, services: ServicesDep, templates: TemplatesDep,
    text: Annotated[str, Form(max_length=8000)] = "",
) -> Response:  # fmt: skip
    try:
        body = ReplyIn(text=text.strip())
    except ValidationError:
        return render_finding(request, templates, services, user, finding_id, "The reply is empty.", UNPROCESSABLE)
    try:
        with services.catalog.sessions() as session, session.begin():
            row = visible_finding(session, services, user, finding_id, lock=True)
            FindingReviews(session, services.clock).reply(row, user.username, body.text, "web")
    except ReviewRefused as refused:
        return refused_page(request, templates, services, user, finding_id, refused)
    return back_to(finding_id)
