"""LoginService: one login or logout, with its rate limit, attempt row, audit row and session."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from review_app.audit.entries import AuditAction, AuditOutcome
from review_app.audit.log import AuditLog
from review_app.auth.login_sessions import LoginSessions, Opened
from review_app.auth.passwords import Passwords
from review_app.auth.roles import User
from review_app.auth.throttle import LoginThrottle
from review_app.auth.users import UserDirectory, user_of
from seffaf.clock import Clock
from seffaf.config import ReviewConfig


@dataclass(frozen=True)
class LoggedIn:
    user: User
    opened: Opened


class Refusal(StrEnum):
    WRONG = "wrong"  # unknown user, wrong password or disabled account: the client is not told which
    THROTTLED = "throttled"


class LoginService:
    def __init__(self, session: Session, passwords: Passwords, config: ReviewConfig, clock: Clock) -> None:
        self._session = session
        self._passwords = passwords
        self._audit = AuditLog(session, clock)
        self._throttle = LoginThrottle(session, config, clock)
        self._sessions = LoginSessions(session, config, clock)

    def login(self, username: str, password: str, client_ip: str) -> LoggedIn | Refusal:
        """Reads and the slow password check come first, so no write lock is held while argon2 runs."""
        name = username.strip().lower()
        detail = {"client_ip": client_ip}
        if self._throttle.blocked(name, client_ip):
            self._audit.append(AuditAction.LOGIN_FAILED, actor=None, object_type="user", object_id=name[:200],
                               reason="too many failed logins", detail=detail,
                               outcome=AuditOutcome.RATE_LIMITED)  # fmt: skip
            return Refusal.THROTTLED
        account = UserDirectory(self._session).find(name)
        checked = self._passwords.check(account.password_hash if account else None, password)
        if account is None or not checked.ok or account.disabled:
            why = "unknown user" if account is None else "wrong password" if not checked.ok else "account disabled"
            self._throttle.record(name, client_ip, succeeded=False)
            self._audit.append(AuditAction.LOGIN_FAILED, actor=None, object_type="user", object_id=name[:200],
                               reason=why, detail=detail, outcome=AuditOutcome.FAILED)  # fmt: skip
            return Refusal.WRONG
        if checked.new_hash is not None:
            account.password_hash = checked.new_hash
        self._throttle.record(name, client_ip, succeeded=True)
        self._sessions.prune()
        opened = self._sessions.open(account.id, client_ip)
        self._audit.append(AuditAction.LOGIN, actor=account.username, object_type="user", object_id=account.username,
                           detail=detail)  # fmt: skip
        return LoggedIn(user_of(account), opened)

    def logout(self, user: User, token: str, client_ip: str) -> None:
        self._sessions.revoke(token)
        self._audit.append(AuditAction.LOGOUT, actor=user.username, object_type="user", object_id=user.username,
                           detail={"client_ip": client_ip})  # fmt: skip
