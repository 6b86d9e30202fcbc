"""How the app answers errors: pages send the signed-out to the login page and show browsers an error page;
/api/* (and any client not asking for HTML) gets FastAPI's JSON as before.

A hidden object's 404 page is the missing object's 404 page, byte for byte: the page never
repeats the refusal's detail, which names the object.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import Request, status
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from fastapi.utils import is_body_allowed_for_status_code
from starlette.exceptions import HTTPException

from review_app.pages.navigation import is_page, login_redirect, wants_html

logger = logging.getLogger(__name__)

TITLES = {
    status.HTTP_403_FORBIDDEN: "Not allowed",
    status.HTTP_404_NOT_FOUND: "Not found",
    status.HTTP_422_UNPROCESSABLE_CONTENT: "Cannot read the request",
}
NOT_FOUND_TEXT = "There is nothing here, or nothing you may see."


def error_page(request: Request, code: int, message: str, headers: Mapping[str, str] | None = None) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    context = {"code": code, "title": TITLES.get(code, "Something went wrong"), "message": message}
    return templates.TemplateResponse(request, "error.html", context, status_code=code, headers=headers)


def error_answer(request: Request, exc: HTTPException) -> Response:
    """The answer to an HTTPException (sync: the audited-denial handler calls it from its thread)."""
    path = request.url.path
    if exc.status_code == status.HTTP_401_UNAUTHORIZED and is_page(path):
        target = login_redirect(request.method, path, request.url.query)
        return RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    if wants_html(path, request.headers.get("accept", "")):
        message = NOT_FOUND_TEXT if exc.status_code == status.HTTP_404_NOT_FOUND else str(exc.detail)
        return error_page(request, exc.status_code, message, exc.headers)
    if not is_body_allowed_for_status_code(exc.status_code):
        return Response(status_code=exc.status_code, headers=exc.headers)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_answer(request, exc)


async def validation_error(request: Request, exc: Exception) -> Response:
    """A malformed page address (/sessions/abc, ?leg=x) shows which part; the API keeps its 422 JSON."""
    assert isinstance(exc, RequestValidationError)
    if not wants_html(request.url.path, request.headers.get("accept", "")):
        return await request_validation_exception_handler(request, exc)
    fields = "; ".join(f"{error['loc'][-1]}: {error['msg']}" for error in exc.errors() if error.get("loc"))
    return error_page(request, status.HTTP_422_UNPROCESSABLE_CONTENT, fields or "the request is malformed")


def database_unavailable(request: Request, exc: Exception) -> Response:
    """The catalog database cannot be reached: a 503 to try again (the pool reconnects), not a bare 500."""
    logger.error("catalog database unavailable: %s", exc)
    answer = HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "catalog database unavailable, try again")
    return error_answer(request, answer)
