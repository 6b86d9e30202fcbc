"""UserDirectory: the accounts table, for `seffaf users` and for login. Changes are audited by the caller."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from review_app.auth.roles import ALL_CENTER_ROLES, CASE_ROLES, Role, User, parse_roles
from seffaf.catalog.sites_tables import CenterRow
from seffaf.catalog.user_tables import LoginSessionRow, UserRow

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


class UserError(ValueError):
    """An account change that cannot be made; the message says why."""


class UserView(BaseModel):
    username: str
    roles: list[str]
    centers: list[str]
    operator_links: list[str]
    disabled: bool
    created_at: datetime
    last_login: datetime | None


def user_of(row: UserRow) -> User:
    return User(id=row.id, username=row.username, roles=parse_roles(row.roles), centers=frozenset(row.centers),
                operator_links=frozenset(row.operator_links))  # fmt: skip


def scope_problem(roles: frozenset[Role], centers: list[str], known_centers: set[str]) -> str | None:
    """Why this role and centre combination is refused, or None. Pure."""
    if not roles:
        return "--role: at least one role"
    if Role.UNREDACTED_EXPORT in roles and roles.isdisjoint(CASE_ROLES):
        return "--role: unredacted_export is granted on top of complaint_handler or admin"
    unknown = sorted(set(centers) - known_centers)
    if unknown:
        return f"--center: unknown centre {unknown[0]!r} (load the sites file first)"
    if not centers and roles.isdisjoint(ALL_CENTER_ROLES):
        return "--center: at least one centre for roles that are scoped to centres (all but admin and auditor)"
    return None


class UserDirectory:
    def __init__(self, session: Session) -> None:
        self._session = session

    def find(self, username: str) -> UserRow | None:
        return self._session.scalar(select(UserRow).where(UserRow.username == username))

    def require(self, username: str) -> UserRow:
        row = self.find(username)
        if row is None:
            raise UserError(f"no user {username!r}")
        return row

    def add(self, username: str, password_hash: str, roles: list[str], centers: list[str], operator_links: list[str],
            now: datetime) -> UserRow:  # fmt: skip
        if not USERNAME.fullmatch(username):
            raise UserError(f"username {username!r}: lower-case letters, digits, '.', '_' or '-', at most 64")
        if self.find(username) is not None:
            raise UserError(f"user {username!r} exists already")
        parsed = self._checked(roles, centers)
        row = UserRow(username=username, password_hash=password_hash, roles=sorted(parsed),
                      centers=sorted(set(centers)), operator_links=sorted(set(operator_links)), disabled=False,
                      created_at=now, updated_at=now)  # fmt: skip
        self._session.add(row)
        self._session.flush()
        return row

    def set_scope(self, row: UserRow, roles: list[str], centers: list[str] | None, operator_links: list[str] | None,
                  now: datetime) -> None:  # fmt: skip
        """Replace the roles, and the centres and operator links when given."""
        new_centers = sorted(set(centers)) if centers is not None else row.centers
        row.roles = sorted(self._checked(roles, new_centers))
        row.centers = new_centers
        if operator_links is not None:
            row.operator_links = sorted(set(operator_links))
        row.updated_at = now

    def set_disabled(self, row: UserRow, disabled: bool, now: datetime) -> int:
        """Disabling also revokes every open login session; returns how many."""
        row.disabled, row.updated_at = disabled, now
        if not disabled:
            return 0
        return self.revoke_sessions(row, now)

    def set_password(self, row: UserRow, password_hash: str, now: datetime) -> int:
        """A new password ends the account's open sessions; returns how many."""
        row.password_hash, row.updated_at = password_hash, now
        return self.revoke_sessions(row, now)

    def revoke_sessions(self, row: UserRow, now: datetime) -> int:
        result = self._session.execute(
            update(LoginSessionRow)
            .where(LoginSessionRow.user_id == row.id, LoginSessionRow.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return int(getattr(result, "rowcount", 0))

    def all_users(self) -> list[UserView]:
        last_login = (
            select(LoginSessionRow.user_id, func.max(LoginSessionRow.created_at).label("at"))
            .group_by(LoginSessionRow.user_id)
            .subquery()
        )
        rows = self._session.execute(
            select(UserRow, last_login.c.at).outerjoin(last_login, last_login.c.user_id == UserRow.id)
            .order_by(UserRow.username)
        )  # fmt: skip
        return [UserView(username=u.username, roles=u.roles, centers=u.centers, operator_links=u.operator_links,
                         disabled=u.disabled, created_at=u.created_at, last_login=at) for u, at in rows]  # fmt: skip

    def _checked(self, roles: list[str], centers: list[str]) -> frozenset[Role]:
        try:
            parsed = parse_roles(roles)
        except ValueError as exc:
            raise UserError(f"--role: {exc}") from exc
        known = set(self._session.scalars(select(CenterRow.id)))
        problem = scope_problem(parsed, centers, known)
        if problem is not None:
            raise UserError(problem)
        return parsed
