"""GET /audit: the newest rows of the audit trail, for auditors and admins (the nav's Audit link)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from review_app.audit.entries import AuditAction, AuditFilter
from review_app.audit.log import AuditLog
from review_app.auth.dependencies import require_roles
from review_app.auth.roles import Role, User
from review_app.deps import ServicesDep
from review_app.media.responses import PRIVATE
from review_app.web import TemplatesDep

router = APIRouter(include_in_schema=False)
SHOWN = 200
AuditorUser = Annotated[User, Depends(require_roles(Role.AUDITOR, Role.ADMIN))]


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    user: AuditorUser,
    services: ServicesDep,
    templates: TemplatesDep,
    actor: Annotated[str | None, Query(max_length=200)] = None,
    action: Annotated[str | None, Query(max_length=32)] = None,  # an unknown action simply matches nothing
) -> HTMLResponse:
    """Newest first; `seffaf audit verify` checks the chain, `seffaf audit list` reads further back."""
    filters = AuditFilter(actor=actor or None, action=action or None, limit=SHOWN)
    with services.catalog.sessions() as session:
        entries = AuditLog(session, services.clock).search(filters)
    context = {"entries": entries, "actor": actor or "", "action": action or "",
               "actions": [a.value for a in AuditAction], "shown": SHOWN}  # fmt: skip
    return templates.TemplateResponse(request, "audit.html", context, headers=PRIVATE)
