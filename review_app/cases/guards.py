"""Who may handle complaints and cases, and what a refused or failed case request answers (API and pages).

Complaint handlers (and admins) only. A case, complaint or session outside the user's scope (its
centres, and with conflict of interest its operators) answers exactly like a missing one: the
404, audited as access_denied.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import Depends, HTTPException, status
from sqlalchemy.orm import Session

from review_app.auth.denials import AuditedDenial, Denial, not_found, not_found_unless
from review_app.auth.dependencies import require_roles
from review_app.auth.roles import CASE_ROLES, User
from review_app.auth.scope import sees_all_centers
from review_app.deps import AppServices
from seffaf.cases.case_reads import CaseFilter, CaseReader, Concerned
from seffaf.cases.case_service import CaseService
from seffaf.cases.hold_sink import sink_for
from seffaf.cases.states import CaseConflict, CaseError, CaseNotFound, CaseStatus
from seffaf.catalog.case_tables import ComplaintRow
from seffaf.catalog.session_tables import VisitRow
from seffaf.catalog.sites_tables import CenterRow
from seffaf.storage.base import StoreError

Handler = Annotated[User, Depends(require_roles(*sorted(CASE_ROLES)))]


def case_service(session: Session, services: AppServices) -> CaseService:
    return CaseService(session, services.clock, sink_for(services.store))


def may_see(services: AppServices, user: User, concerned: Sequence[Concerned]) -> bool:
    return all(services.access.can_access_all(user, part.center, part.operators) for part in concerned)


def visible_case(session: Session, services: AppServices, user: User, case_id: int) -> None:
    """Returns if the user may see the case; else the missing case's 404 (audited when it exists)."""
    try:
        concerned = CaseReader(session, services.clock).concerns(case_id)
    except CaseNotFound:
        raise not_found("case", str(case_id)) from None
    not_found_unless(may_see(services, user, concerned), user, "case", str(case_id))


def visible_complaint(session: Session, services: AppServices, user: User, complaint_id: int) -> ComplaintRow:
    row = session.get(ComplaintRow, complaint_id)
    if row is None:
        raise not_found("complaint", str(complaint_id))
    allowed = services.access.can_access(user, row.center, None)
    not_found_unless(allowed, user, "complaint", str(complaint_id))
    return row


def sees_visit(session: Session, services: AppServices, user: User, visit_id: int) -> bool:
    """For lists (proposals): a session the user may not see is left out, as a search leaves it out."""
    row = session.get(VisitRow, visit_id)
    return row is not None and services.access.can_access_all(user, row.center, [leg.operator for leg in row.legs])


def visible_visits(session: Session, services: AppServices, user: User, visit_ids: Sequence[int]) -> list[VisitRow]:
    """The confirmed sessions; a hidden one is the missing session's 404, audited."""
    try:
        rows = case_service(session, services).visits(visit_ids)
    except CaseNotFound as missing:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(missing)) from None
    for row in rows:
        allowed = services.access.can_access_all(user, row.center, [leg.operator for leg in row.legs])
        if not allowed:
            denial = Denial(user.username, "session", str(row.id), "outside the user's scope")
            raise AuditedDenial(status.HTTP_404_NOT_FOUND, f"visit_ids: no session {row.id}", denial)
    return rows


def check_center(session: Session, services: AppServices, user: User, center: str) -> None:
    """A complaint at a centre outside the user's scope is refused like one at an unknown centre (and audited)."""
    unknown = f"center: unknown centre {center!r}"
    if session.get(CenterRow, center) is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, unknown)
    if not services.access.can_access(user, center, None):
        denial = Denial(user.username, "center", center, "outside the user's scope")
        raise AuditedDenial(status.HTTP_422_UNPROCESSABLE_CONTENT, unknown, denial)


def case_filter(user: User, services: AppServices, status_: CaseStatus | None, limit: int, offset: int) -> CaseFilter:
    hidden = user.operator_links if services.access.block_linked_operators else frozenset()
    centers = None if sees_all_centers(user) else user.centers
    return CaseFilter(status=status_, scope_centers=centers, hidden_operators=hidden, limit=limit, offset=offset)


def store_error(exc: StoreError) -> HTTPException:
    """The store refused or could not be reached while holding or releasing: the transaction rolled back."""
    return HTTPException(
        status.HTTP_503_SERVICE_UNAVAILABLE, f"legal holds in the store failed, nothing changed: {exc}"
    )


def case_error(exc: CaseError) -> HTTPException:
    """404 for what is not there, 409 when the case's state forbids the step, 422 for a field at fault."""
    if isinstance(exc, CaseNotFound):
        return HTTPException(status.HTTP_404_NOT_FOUND, str(exc))
    if isinstance(exc, CaseConflict):
        return HTTPException(status.HTTP_409_CONFLICT, str(exc))
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc))
