"""The demo's accounts, one per role, with fresh generated passwords on every demo run.

The unredacted-export permission is no job of its own: the demo admin holds it on top of admin, so
the newcomer sees an export with and one without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from review_app.auth.passwords import Passwords, generate_password
from review_app.auth.roles import Role
from review_app.auth.users import UserDirectory

PERMISSIONS = frozenset({Role.UNREDACTED_EXPORT})
EXTRA = {Role.ADMIN: (Role.UNREDACTED_EXPORT,)}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    password: str
    extra: tuple[Role, ...] = ()  # permissions held on top of the role


def ensure_demo_accounts(session: Session, center: str, passwords: Passwords, now: datetime) -> list[DemoAccount]:
    """Create (or re-key) demo-<role> for each role, scoped to the demo centre; passwords are printed once."""
    users = UserDirectory(session)
    accounts = []
    for role in (r for r in Role if r not in PERMISSIONS):
        extra = EXTRA.get(role, ())
        roles = [role.value, *(r.value for r in extra)]
        username = f"demo-{role.value.replace('_', '-')}"
        password = generate_password()
        centers = [center]
        existing = users.find(username)
        if existing is None:
            users.add(username, passwords.hash(password), roles, centers, [], now)
        else:  # a new run prints new passwords: the old ones stop working, as a real reset would
            users.set_scope(existing, roles, centers, [], now)
            users.set_disabled(existing, False, now)
            users.set_password(existing, passwords.hash(password), now)
        accounts.append(DemoAccount(username, role, password, extra))
    return accounts
