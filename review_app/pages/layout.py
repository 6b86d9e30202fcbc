"""What every page's layout (templates/base.html) shows: the signed-in user, the CSRF token for forms, the nav.

Registered as Jinja globals, so a page that extends base.html gets its nav without passing
anything: `current_user` (review_app/auth/dependencies.py) leaves the user on request.state.
"""

from __future__ import annotations

from fastapi import Request

from review_app.auth.dependencies import session_token
from review_app.auth.login_sessions import csrf_token_for
from review_app.auth.roles import Role, User
from review_app.auth.scope import has_any_role

AUDIT_ROLES = frozenset({Role.AUDITOR, Role.ADMIN})


def signed_in(request: Request) -> User | None:
    """The user this request was authenticated as, or None (the login and error pages)."""
    user = getattr(request.state, "user", None)
    return user if isinstance(user, User) else None


def csrf_token(request: Request) -> str:
    """The session's CSRF token, for a form's hidden csrf_token field."""
    token = session_token(request)
    return csrf_token_for(token) if token else ""


def sees_audit(user: User | None) -> bool:
    return user is not None and has_any_role(user, AUDIT_ROLES)
