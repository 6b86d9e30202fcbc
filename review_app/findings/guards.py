"""Object-level access to findings, samples and operators, and how a refused verdict answers (API and pages)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, status
from sqlalchemy.orm import Session

from policies.verdict_flow import Refusal, Refused
from review_app.auth.denials import AuditedDenial, Denial, not_found, not_found_unless
from review_app.auth.dependencies import require_roles
from review_app.auth.roles import Role, User
from review_app.deps import AppServices
from review_app.findings.reviews import FindingReviews
from review_app.findings.scorecard import operator_centers
from seffaf.catalog.finding_tables import FindingRow
from seffaf.catalog.review_tables import SampleRow

# Who may judge findings and samples, for the API and the pages.
Reviewer = Annotated[User, Depends(require_roles(Role.REVIEWER, Role.SENIOR_REVIEWER))]

# Refusals about the finding's state (nothing to do with who asks) are conflicts; the rest are the person's.
_CONFLICTS = frozenset({Refusal.FINAL, Refusal.ALREADY_ESCALATED})


def visible_finding(session: Session, services: AppServices, user: User, finding_id: int,
                    lock: bool = False) -> FindingRow:  # fmt: skip
    """The finding if the user may see its centre and operator; else the missing finding's 404, audited."""
    row = FindingReviews(session, services.clock).lock(finding_id) if lock else session.get(FindingRow, finding_id)
    if row is None:
        raise not_found("finding", str(finding_id))
    not_found_unless(services.access.can_access(user, row.center, row.operator), user, "finding", str(finding_id))
    return row


def refusal_error(user: User, finding_id: int, refused: Refused) -> HTTPException:
    """409 when the finding's state forbids it; 403 (audited as access_denied) when this person may not."""
    if refused.reason in _CONFLICTS:
        return HTTPException(status.HTTP_409_CONFLICT, refused.message)
    denial = Denial(user.username, "finding", str(finding_id), refused.message)
    return AuditedDenial(status.HTTP_403_FORBIDDEN, refused.message, denial)


def visible_sample(session: Session, services: AppServices, user: User, sample_id: int) -> SampleRow:
    row = session.get(SampleRow, sample_id)
    if row is None:
        raise not_found("sample", str(sample_id))
    not_found_unless(services.access.can_access(user, row.center, row.operator), user, "sample", str(sample_id))
    return row


def visible_operator_centers(session: Session, services: AppServices, user: User, operator: str) -> list[str]:
    """The operator's centres the user may see them at; none: the unknown operator's 404 (audited if hidden)."""
    centers = operator_centers(session, operator)
    if not centers:
        raise not_found("operator", operator)
    visible = sorted(c for c in centers if services.access.can_access(user, c, operator))
    not_found_unless(bool(visible), user, "operator", operator)
    return visible
