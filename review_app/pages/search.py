"""GET /search: the search form and one page of matching sessions, within the user's scope, audited as a search."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from indexer.session_views import VisitView
from review_app.api.sessions import audited_search
from review_app.auth.dependencies import CurrentUser
from review_app.deps import ServicesDep
from review_app.media.responses import PRIVATE
from review_app.pages.centers import CenterInfo, centers_by_id, centers_in_scope
from review_app.pages.search_form import PAGE_SIZE, choices, page_link, paging, parse_search
from review_app.pages.search_form import session_filter as form_filter
from review_app.pages.visit_findings import finding_counts
from review_app.web import TemplatesDep
from seffaf.catalog.finding_tables import FindingRow

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class ResultRow:
    visit: VisitView
    center: CenterInfo
    findings: int

    @property
    def served_by(self) -> str:
        """Each leg's window and operator, in order: '7 (3317) → 12 (4410)'."""
        return " → ".join(f"{leg.window} ({leg.operator or 'unknown'})" for leg in self.visit.legs)


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, user: CurrentUser, services: ServicesDep, templates: TemplatesDep) -> HTMLResponse:
    parsed = parse_search(request.query_params)
    with services.catalog.sessions() as session, session.begin():
        centers = centers_in_scope(session, user)
        rules = list(session.scalars(select(FindingRow.rule_id).distinct().order_by(FindingRow.rule_id)))
        # The form shows what was typed, as typed, so a value at fault can be corrected.
        context: dict[str, object] = {
            "asked": request.query_params,
            "errors": [],
            "centers": centers,
            "rules": rules,
            "severities": choices("finding_severity"),
            "statuses": choices("finding_status"),
        }
        if isinstance(parsed, list):  # each field at fault named; nothing is searched
            context.update(errors=parsed)
            return form_page(request, templates, context, status.HTTP_422_UNPROCESSABLE_CONTENT)
        total, visits = audited_search(session, form_filter(parsed), user, services)
        by_id = centers_by_id(session, {visit.center for visit in visits})
        counts = finding_counts(session, visits)
    rows = [ResultRow(visit, by_id[visit.center], counts.get(visit.id, 0)) for visit in visits]
    pages = paging(total, parsed.page)
    links = {page: page_link(parsed, page) for page in (pages.previous, pages.next, 1, pages.pages) if page}
    context.update(rows=rows, total=total, paging=pages, links=links, page_size=PAGE_SIZE)
    return form_page(request, templates, context, status.HTTP_200_OK)


def form_page(request: Request, templates: Jinja2Templates, context: dict[str, object], code: int) -> HTMLResponse:
    return templates.TemplateResponse(request, "search.html", context, status_code=code, headers=PRIVATE)
