"""The complaint handler's pages: intake form, proposals to confirm into a case, the cases, one case and its forms.

Forms POST with the session's CSRF token (`csrf_token` field) and go on with a 303; a form at
fault shows the page again with what to fix. Same rules, scope and audit as the API (api.py).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from review_app.auth.denials import AuditedDenial
from review_app.auth.roles import User
from review_app.auth.scope import may_export_unredacted
from review_app.cases.api import CaseIn, open_case, proposals_of, read_case, record_complaint
from review_app.cases.exports import ExportIn, kept_exports, make_export
from review_app.cases.guards import Handler, case_error, case_filter, case_service, store_error, visible_case
from review_app.cases.page_forms import chosen_visits, close_form, complaint_form
from review_app.deps import AppServices, ServicesDep
from review_app.media.responses import PRIVATE
from review_app.pages.centers import centers_by_id, centers_in_scope
from review_app.web import TemplatesDep
from seffaf.cases.complaint_intake import CHANNELS
from seffaf.cases.states import CaseError, CaseStatus, Outcome
from seffaf.storage.base import StoreError

router = APIRouter(include_in_schema=False)
UNPROCESSABLE = status.HTTP_422_UNPROCESSABLE_CONTENT
OUTCOMES = [o.value for o in Outcome]


class ComplaintFields(BaseModel):
    """The intake form as posted, every field text; page_forms.complaint_form checks it."""

    reference: str = ""
    received_on: str = ""
    channel: str = ""
    center: str = ""
    window: str = ""
    service_date: str = ""
    time_from: str = ""
    time_to: str = ""
    ticket: str = ""
    application_id: str = ""
    description: str = ""


def see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=status.HTTP_303_SEE_OTHER)


def intake_page(request: Request, templates: TemplatesDep, services: AppServices, user: User, values: ComplaintFields,
                errors: list[str], code: int = status.HTTP_200_OK) -> HTMLResponse:  # fmt: skip
    with services.catalog.sessions() as session:
        centers = centers_in_scope(session, user)
    context = {"values": values, "errors": errors, "centers": centers, "channels": CHANNELS}
    return templates.TemplateResponse(request, "complaint_new.html", context, status_code=code, headers=PRIVATE)


@router.get("/complaints/new", response_class=HTMLResponse)
def new_complaint(request: Request, user: Handler, services: ServicesDep, templates: TemplatesDep) -> HTMLResponse:
    return intake_page(request, templates, services, user, ComplaintFields(), [])


@router.post("/complaints", response_class=HTMLResponse)
def post_complaint(request: Request, fields: Annotated[ComplaintFields, Form()], user: Handler,
                   services: ServicesDep, templates: TemplatesDep) -> Response:  # fmt: skip
    parsed = complaint_form(fields.model_dump())
    if isinstance(parsed, list):
        return intake_page(request, templates, services, user, fields, parsed, UNPROCESSABLE)
    try:
        with services.catalog.sessions() as session, session.begin():
            complaint = record_complaint(session, services, user, parsed)
    except HTTPException as refused:
        if isinstance(refused, AuditedDenial) or str(refused.detail).startswith("center:"):
            raise  # a hidden centre and an unknown one: the same error page (the hidden one audited)
        return intake_page(request, templates, services, user, fields, [str(refused.detail)], refused.status_code)
    return see_other(f"/complaints/{complaint.id}")


def proposals_page(request: Request, templates: TemplatesDep, services: AppServices, user: User, complaint_id: int,
                   notice: str | None = None, code: int = status.HTTP_200_OK) -> HTMLResponse:  # fmt: skip
    with services.catalog.sessions() as session, session.begin():
        found = proposals_of(session, services, user, complaint_id)
        center = centers_by_id(session, [found.complaint.center])[found.complaint.center]
    context = {"c": found.complaint, "proposals": found.proposals, "center": center, "notice": notice}
    return templates.TemplateResponse(request, "complaint.html", context, status_code=code, headers=PRIVATE)


@router.get("/complaints/{complaint_id}", response_class=HTMLResponse)
def complaint_page(complaint_id: int, request: Request, user: Handler, services: ServicesDep,
                   templates: TemplatesDep) -> HTMLResponse:  # fmt: skip
    """The complaint and the sessions it may be about, to tick and open the case with."""
    return proposals_page(request, templates, services, user, complaint_id)


@router.post("/cases", response_class=HTMLResponse)
def post_case(request: Request, user: Handler, services: ServicesDep, templates: TemplatesDep,
              complaint_id: Annotated[int, Form()],
              visit_id: Annotated[list[str] | None, Form()] = None) -> Response:  # fmt: skip
    chosen = chosen_visits(visit_id or [])
    if isinstance(chosen, str):
        return proposals_page(request, templates, services, user, complaint_id, chosen, UNPROCESSABLE)
    body = CaseIn(complaint_id=complaint_id, visit_ids=chosen)
    try:
        with services.catalog.sessions() as session, session.begin():
            case_id = open_case(session, services, user, body)
    except HTTPException as refused:
        if refused.status_code == status.HTTP_404_NOT_FOUND:
            raise
        return proposals_page(
            request, templates, services, user, complaint_id, str(refused.detail), refused.status_code
        )
    return see_other(f"/cases/{case_id}")


@router.get("/cases", response_class=HTMLResponse)
def cases_page(request: Request, user: Handler, services: ServicesDep, templates: TemplatesDep,
               status_: Annotated[str, Query(alias="status")] = "") -> HTMLResponse:  # fmt: skip
    wanted = CaseStatus(status_) if status_ in {s.value for s in CaseStatus} else None
    with services.catalog.sessions() as session, session.begin():
        page = case_service(session, services).reader().list(case_filter(user, services, wanted, 200, 0))
        centers = centers_by_id(session, {item.center for item in page.items if item.center})
    context = {"page": page, "centers": centers, "wanted": wanted, "statuses": [s.value for s in CaseStatus]}
    return templates.TemplateResponse(request, "cases.html", context, headers=PRIVATE)


def case_page_answer(request: Request, templates: TemplatesDep, services: AppServices, user: User, case_id: int,
                     notice: str | None = None, code: int = status.HTTP_200_OK) -> HTMLResponse:  # fmt: skip
    with services.catalog.sessions() as session, session.begin():
        detail = read_case(session, services, user, case_id)
        ids = {s.center for s in detail.sessions} | ({detail.complaint.center} if detail.complaint else set())
        centers = centers_by_id(session, ids)
    tz = centers[detail.complaint.center].timezone if detail.complaint else "UTC"
    context = {"case": detail, "centers": centers, "tz": tz, "notice": notice, "outcomes": OUTCOMES,
               "kept": kept_exports(services, detail), "may_unredact": may_export_unredacted(user)}  # fmt: skip
    return templates.TemplateResponse(request, "case.html", context, status_code=code, headers=PRIVATE)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(case_id: int, request: Request, user: Handler, services: ServicesDep,
              templates: TemplatesDep) -> HTMLResponse:  # fmt: skip
    return case_page_answer(request, templates, services, user, case_id)


def changed(request: Request, templates: TemplatesDep, services: AppServices, user: User, case_id: int,
            step: str, text: str = "", outcome: str = "") -> Response:  # fmt: skip
    """Do one of the case page's forms; a refused one shows the case again with why."""
    if step == "close":
        asked = close_form(outcome, text)
        if isinstance(asked, list):
            return case_page_answer(request, templates, services, user, case_id, asked[0], UNPROCESSABLE)
    try:
        with services.catalog.sessions() as session, session.begin():
            visible_case(session, services, user, case_id)
            service = case_service(session, services)
            if step == "note":
                service.add_note(case_id, text, user.username)
            elif step == "review":
                service.start_review(case_id, user.username)
            else:
                service.close(case_id, outcome, text, user.username)
    except StoreError as exc:
        raise store_error(exc) from exc
    except CaseError as exc:
        refused = case_error(exc)
        return case_page_answer(request, templates, services, user, case_id, str(refused.detail), refused.status_code)
    return see_other(f"/cases/{case_id}")


@router.post("/cases/{case_id}/notes", response_class=HTMLResponse)
def note_form(case_id: int, request: Request, user: Handler, services: ServicesDep, templates: TemplatesDep,
              text: Annotated[str, Form(max_length=8000)] = "") -> Response:  # fmt: skip
    return changed(request, templates, services, user, case_id, "note", text)


@router.post("/cases/{case_id}/review", response_class=HTMLResponse)
def review_form(case_id: int, request: Request, user: Handler, services: ServicesDep,
                templates: TemplatesDep) -> Response:  # fmt: skip
    return changed(request, templates, services, user, case_id, "review")


@router.post("/cases/{case_id}/close", response_class=HTMLResponse)
def close_case_form(case_id: int, request: Request, user: Handler, services: ServicesDep, templates: TemplatesDep,
                    outcome: Annotated[str, Form(max_length=32)] = "",
                    reason: Annotated[str, Form(max_length=4000)] = "") -> Response:  # fmt: skip
    return changed(request, templates, services, user, case_id, "close", reason, outcome)


@router.post("/cases/{case_id}/exports", response_class=HTMLResponse)
def export_form(case_id: int, request: Request, user: Handler, services: ServicesDep, templates: TemplatesDep,
                unredacted: Annotated[bool, Form()] = False, originals: Annotated[bool, Form()] = False,
                reason: Annotated[str, Form(max_length=4000)] = "") -> Response:  # fmt: skip
    """Build the case's package now; the case page then lists it with its download link."""
    body = ExportIn(unredacted=unredacted, reason=reason.strip() or None, include_originals=originals)
    try:
        made = make_export(services, user, case_id, body)
    except HTTPException as refused:
        if isinstance(refused, AuditedDenial) or refused.status_code == status.HTTP_404_NOT_FOUND:
            raise  # a hidden case, or the permission missing: the error page, audited
        return case_page_answer(request, templates, services, user, case_id, str(refused.detail), refused.status_code)
    return see_other(f"/cases/{case_id}#export-{made.id}")
