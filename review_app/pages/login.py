"""GET/POST /login and POST /logout: the HTML forms over the JSON API's login (rate limit and audit included)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from review_app.api.auth import log_in, log_out
from review_app.auth.dependencies import CurrentUser, clear_session_cookie, set_session_cookie
from review_app.auth.login import Refusal
from review_app.deps import ServicesDep
from review_app.pages.navigation import LANDING_PATH, LOGIN_PATH, safe_next
from review_app.web import TemplatesDep

router = APIRouter(include_in_schema=False)
WRONG = "Wrong username or password."
MISSING = "Enter your username and password."


def throttled_message(window_s: int) -> str:
    return f"Too many failed logins for this account or from this address: try again in {window_s // 60} minutes."


def render_login(
    request: Request, templates: Jinja2Templates, target: str, username: str = "", message: str | None = None,
    code: int = status.HTTP_200_OK, headers: dict[str, str] | None = None,
) -> HTMLResponse:  # fmt: skip
    context = {"next": target, "username": username, "message": message}
    return templates.TemplateResponse(request, "login.html", context, status_code=code, headers=headers)


@router.get("/", response_class=RedirectResponse)
def home() -> RedirectResponse:
    return RedirectResponse(LANDING_PATH, status_code=status.HTTP_303_SEE_OTHER)


@router.get(LOGIN_PATH, response_class=HTMLResponse)
def login_page(
    request: Request, templates: TemplatesDep, next_page: Annotated[str | None, Query(alias="next")] = None
) -> HTMLResponse:
    return render_login(request, templates, safe_next(next_page))


@router.post(LOGIN_PATH, response_class=HTMLResponse)
def submit_login(
    request: Request,
    services: ServicesDep,
    templates: TemplatesDep,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",  # bounds the argon2 work a request can ask for
    next_page: Annotated[str, Form(alias="next", max_length=2000)] = "",
) -> Response:
    """Same checks as POST /api/v1/auth/login; success goes on to `next` (same-site paths only) or the search."""
    target = safe_next(next_page)
    if not username.strip() or not password:
        return render_login(request, templates, target, username, MISSING, status.HTTP_400_BAD_REQUEST)
    result = log_in(services, request, username, password)
    if result is Refusal.THROTTLED:
        window = services.review.login_window_seconds
        return render_login(request, templates, target, username, throttled_message(window),
                          status.HTTP_429_TOO_MANY_REQUESTS, {"Retry-After": str(window)})  # fmt: skip
    if isinstance(result, Refusal):
        return render_login(request, templates, target, username, WRONG, status.HTTP_401_UNAUTHORIZED)
    response = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    set_session_cookie(response, request, result.opened.token, services.review.behind_tls)
    return response


@router.post("/logout", response_class=RedirectResponse)
def submit_logout(user: CurrentUser, request: Request, services: ServicesDep) -> RedirectResponse:
    """The nav's logout form (its csrf_token field is checked by CurrentUser)."""
    log_out(services, request, user)
    response = RedirectResponse(LOGIN_PATH, status_code=status.HTTP_303_SEE_OTHER)
    clear_session_cookie(response, request, services.review.behind_tls)
    return response
