"""Roles and the logged-in person as routes see them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    REVIEWER = "reviewer"
    SENIOR_REVIEWER = "senior_reviewer"
    COMPLAINT_HANDLER = "complaint_handler"
    AUDITOR = "auditor"
    ADMIN = "admin"
    # A permission, not a job: granted on top of complaint_handler or admin, it lets them export footage
    # with citizens' faces visible (a stated reason each time, audited).
    UNREDACTED_EXPORT = "unredacted_export"


# Roles whose holders oversee the whole system rather than some centres.
ALL_CENTER_ROLES = frozenset({Role.ADMIN, Role.AUDITOR})
# The roles a case is handled (and exported) with; the unredacted-export permission needs one of them.
CASE_ROLES = frozenset({Role.COMPLAINT_HANDLER, Role.ADMIN})


@dataclass(frozen=True)
class User:
    """A logged-in, enabled account: read afresh on every request, so changes apply at once."""

    id: int
    username: str
    roles: frozenset[Role]
    centers: frozenset[str]
    operator_links: frozenset[str]


def parse_roles(names: list[str]) -> frozenset[Role]:
    """Role names as stored or typed; an unknown one raises ValueError naming it and the known ones."""
    known = {role.value: role for role in Role}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"unknown role {unknown[0]!r} (roles: {', '.join(known)})")
    return frozenset(known[name] for name in names)
