"""Refusals that are audited: objects outside a user's scope answer exactly like missing ones (404).

A route raises; the app's exception handler writes the `access_denied` row in its own
transaction, after the route's transaction has rolled back, so the record survives the refusal.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import HTTPException, Request, status
from fastapi.responses import Response
from sqlalchemy.exc import SQLAlchemyError

from review_app.audit.entries import AuditAction, AuditOutcome
from review_app.audit.log import AuditLog
from review_app.auth.roles import User
from review_app.deps import get_services
from review_app.pages.errors import error_answer
from seffaf.catalog.audit_tables import DetailValue

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Denial:
    actor: str | None
    object_type: str | None
    object_id: str | None
    reason: str


class AuditedDenial(HTTPException):
    """An HTTP refusal whose answer is ordinary but which leaves an `access_denied` audit row."""

    def __init__(self, status_code: int, detail: str, denial: Denial) -> None:
        super().__init__(status_code, detail)
        self.denial = denial


def not_found(object_type: str, object_id: str) -> HTTPException:
    """The 404 for a missing object; a hidden one gets the very same answer."""
    return HTTPException(status.HTTP_404_NOT_FOUND, f"{object_type} {object_id} not found")


def not_found_unless(allowed: bool, user: User, object_type: str, object_id: str) -> None:
    """Raise the missing-object 404 unless `allowed`; the refusal is audited as access_denied."""
    if allowed:
        return
    missing = not_found(object_type, object_id)
    denial = Denial(user.username, object_type, object_id, "outside the user's scope")
    raise AuditedDenial(missing.status_code, str(missing.detail), denial)


def audit_denial(request: Request, exc: Exception) -> Response:
    """Exception handler (sync: Starlette runs it in a thread, so the database write blocks no loop)."""
    assert isinstance(exc, AuditedDenial)
    services = get_services(request)
    denial = exc.denial
    detail: dict[str, DetailValue] = {"method": request.method, "path": request.url.path, "status": exc.status_code}
    try:
        with services.catalog.sessions() as session, session.begin():
            AuditLog(session, services.clock).append(AuditAction.ACCESS_DENIED, actor=denial.actor,
                                                     object_type=denial.object_type, object_id=denial.object_id,
                                                     reason=denial.reason, detail=detail,
                                                     outcome=AuditOutcome.DENIED)  # fmt: skip
    except SQLAlchemyError:
        logger.exception("audit: could not record access denied to %s %s for %s", request.method,
                         request.url.path, denial.actor)  # fmt: skip
    # What the app answers any HTTPException (JSON, or a page for browsers): nothing tells the two apart.
    return error_answer(request, exc)
