"""GET /samples (sampled sessions to review) with its review form, and GET /operators/{operator} (the scorecard)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from review_app.auth.dependencies import CurrentUser
from review_app.deps import ServicesDep
from review_app.findings.guards import Reviewer, visible_sample
from review_app.findings.models import SampleOutcome
from review_app.findings.page_forms import PAGE_SIZE, PeriodForm, SampleForm, page_link, parse_form, sample_filter
from review_app.findings.samples import SampleAlreadyReviewed, review_sample
from review_app.findings.samples_api import audited_samples, audited_scorecard
from review_app.findings.scope import actor_of
from review_app.media.responses import PRIVATE
from review_app.pages.centers import centers_by_id, centers_in_scope
from review_app.pages.search_form import paging
from review_app.web import TemplatesDep

router = APIRouter(include_in_schema=False)


@router.get("/samples", response_class=HTMLResponse)
def samples_page(request: Request, user: CurrentUser, services: ServicesDep, templates: TemplatesDep) -> HTMLResponse:
    parsed = parse_form(SampleForm, request.query_params)
    form = parsed if isinstance(parsed, SampleForm) else SampleForm()
    with services.catalog.sessions() as session, session.begin():
        page = audited_samples(session, sample_filter(form), user, services)
        centers = centers_by_id(session, {item.center for item in page.items})
        choices = centers_in_scope(session, user)
    pages = paging(page.total, form.page, PAGE_SIZE)
    links = {n: page_link("/samples", form, n) for n in (pages.previous, pages.next, 1, pages.pages) if n}
    context = {"form": form, "errors": [] if isinstance(parsed, SampleForm) else parsed, "page": page,
               "centers": centers, "center_choices": choices, "paging": pages, "links": links,
               "may_review": actor_of(user).gives_verdicts}  # fmt: skip
    code = status.HTTP_200_OK if isinstance(parsed, SampleForm) else status.HTTP_422_UNPROCESSABLE_CONTENT
    return templates.TemplateResponse(request, "findings/samples.html", context, status_code=code, headers=PRIVATE)


@router.post("/samples/{sample_id}/review")
def sample_review_form(
    sample_id: int, user: Reviewer, services: ServicesDep,
    outcome: Annotated[SampleOutcome, Form()], note: Annotated[str, Form(max_length=4000)] = "",
) -> Response:  # fmt: skip
    with services.catalog.sessions() as session, session.begin():
        row = visible_sample(session, services, user, sample_id)
        try:
            review_sample(session, row, user.username, outcome, note.strip(), services.clock)
        except SampleAlreadyReviewed as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    return RedirectResponse(f"/samples#sample-{sample_id}", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/operators/{operator}", response_class=HTMLResponse)
def scorecard_page(operator: str, request: Request, user: CurrentUser, services: ServicesDep,
                   templates: TemplatesDep) -> HTMLResponse:  # fmt: skip
    parsed = parse_form(PeriodForm, request.query_params)
    error = None if isinstance(parsed, PeriodForm) else "; ".join(parsed)
    form = parsed if isinstance(parsed, PeriodForm) else PeriodForm()
    if form.date_from is not None and form.date_to is not None and form.date_to < form.date_from:
        error, form = "date_to: before date_from", PeriodForm()
    with services.catalog.sessions() as session, session.begin():
        card = audited_scorecard(session, operator, user, services, form.date_from, form.date_to)
    context = {"card": card, "error": error}
    code = status.HTTP_200_OK if error is None else status.HTTP_422_UNPROCESSABLE_CONTENT
    return templates.TemplateResponse(request, "findings/scorecard.html", context, status_code=code, headers=PRIVATE)
