"""POST /api/v1/auth/login and /logout, GET /api/v1/auth/me: cookie sessions for the review app."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import BaseModel, Field

from review_app.auth.dependencies import (
    CurrentUser,
    clear_session_cookie,
    client_ip,
    session_token,
    set_session_cookie,
)
from review_app.auth.login import LoggedIn, LoginService, Refusal
from review_app.auth.login_sessions import csrf_token_for
from review_app.auth.roles import User
from review_app.deps import AppServices, ServicesDep

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class Credentials(BaseModel):
    username: str = Field(max_length=200)
    password: str = Field(max_length=1000)  # argon2 takes any length; this bounds the work a request can ask for


class Me(BaseModel):
    username: str
    roles: list[str]
    centers: list[str] = Field(
        description="Centres in scope (admins and auditors see every centre, whatever this lists)."
    )
    csrf_token: str = Field(
        description="Send it as the X-CSRF-Token header (or csrf_token form field) on unsafe methods."
    )


def _me(user: User, token: str) -> Me:
    return Me(username=user.username, roles=sorted(user.roles), centers=sorted(user.centers),
              csrf_token=csrf_token_for(token))  # fmt: skip


def log_in(services: AppServices, request: Request, username: str, password: str) -> LoggedIn | Refusal:
    """One login attempt (rate limit, attempt row, audit row, new session); the JSON API and the login page share it."""
    with services.catalog.sessions() as session, session.begin():
        service = LoginService(session, services.passwords, services.review, services.clock)
        return service.login(username, password, client_ip(request))


def log_out(services: AppServices, request: Request, user: User) -> None:
    """End the request's session (audited)."""
    token = session_token(request)
    assert token is not None  # CurrentUser found a live session for it
    with services.catalog.sessions() as session, session.begin():
        LoginService(session, services.passwords, services.review, services.clock).logout(
            user, token, client_ip(request)
        )


@router.post("/login", response_model=Me, responses={401: {}, 429: {}})
def login(credentials: Credentials, request: Request, response: Response, services: ServicesDep) -> Me:
    """Check the password and open a session (the HttpOnly cookie); 429 after too many failures."""
    result = log_in(services, request, credentials.username, credentials.password)
    if result is Refusal.THROTTLED:
        retry = str(services.review.login_window_seconds)
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS, "too many failed logins; try later", {"Retry-After": retry}
        )
    if isinstance(result, Refusal):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password")
    set_session_cookie(response, request, result.opened.token, services.review.behind_tls)
    return _me(result.user, result.opened.token)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(user: CurrentUser, request: Request, response: Response, services: ServicesDep) -> None:
    """End this session: the cookie stops working on the next request."""
    log_out(services, request, user)
    clear_session_cookie(response, request, services.review.behind_tls)


@router.get("/me", response_model=Me)
def me(user: CurrentUser, request: Request) -> Me:
    token = session_token(request)
    assert token is not None
    return _me(user, token)
