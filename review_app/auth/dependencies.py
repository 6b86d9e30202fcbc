"""Route dependencies: `CurrentUser` (a live cookie session, CSRF-checked on unsafe methods) and role checks."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Response, status

from review_app.auth.denials import AuditedDenial, Denial
from review_app.auth.login_sessions import LoginSessions, csrf_token_for
from review_app.auth.roles import Role, User
from review_app.auth.scope import has_any_role
from review_app.deps import ServicesDep

SESSION_COOKIE = "seffaf_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FORM_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def client_ip(request: Request) -> str:
    # uvicorn rewrites request.client from X-Forwarded-For for trusted proxies (--forwarded-allow-ips).
    return request.client.host if request.client else "unknown"


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or None


def set_session_cookie(response: Response, request: Request, token: str, behind_tls: bool) -> None:
    # No max_age: the browser drops it when closed; the server enforces idle and absolute expiry anyway.
    secure = behind_tls or request.url.scheme == "https"
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=secure, path="/")


def clear_session_cookie(response: Response, request: Request, behind_tls: bool) -> None:
    secure = behind_tls or request.url.scheme == "https"
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax", secure=secure, path="/")


async def sent_csrf_token(request: Request) -> str | None:
    """The CSRF token a request carries: the X-CSRF-Token header (JSON API), or a form's csrf_token field."""
    if request.method not in UNSAFE_METHODS:
        return None
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        value = (await request.form()).get(CSRF_FORM_FIELD)  # Starlette caches the parsed form for the route
        return value if isinstance(value, str) else None
    return None


def current_user(
    request: Request, services: ServicesDep, sent_csrf: Annotated[str | None, Depends(sent_csrf_token)]
) -> User:
    """The logged-in user of a live session: 401 without one, 403 for an unsafe method without the CSRF token."""
    token = session_token(request)
    user = None
    if token is not None:
        with services.catalog.sessions() as session, session.begin():
            user = LoginSessions(session, services.review, services.clock).resolve(token)
    if token is None or user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "not logged in (or the session has ended)")
    if request.method in UNSAFE_METHODS and not hmac.compare_digest(sent_csrf or "", csrf_token_for(token)):
        denial = Denial(user.username, None, None, "CSRF token missing or wrong")
        raise AuditedDenial(status.HTTP_403_FORBIDDEN, f"CSRF token missing or wrong (send {CSRF_HEADER})", denial)
    request.state.user = user  # for the pages' layout (its nav names the user)
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def require_roles(*roles: Role) -> Callable[[User], User]:
    """A dependency admitting users with any of `roles`: `Annotated[User, Depends(require_roles(Role.ADMIN))]`."""
    allowed = frozenset(roles)
    names = ", ".join(sorted(allowed))

    def check(user: CurrentUser) -> User:
        if not has_any_role(user, allowed):
            denial = Denial(user.username, None, None, f"needs one of the roles {names}")
            raise AuditedDenial(status.HTTP_403_FORBIDDEN, f"needs one of the roles: {names}", denial)
        return user

    return check


AdminUser = Annotated[User, Depends(require_roles(Role.ADMIN))]
