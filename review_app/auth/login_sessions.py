"""LoginSessions: server-side cookie sessions. The cookie carries a random token; the table only its SHA-256.

Whether a session still holds is a pure decision (`session_end`), so revocation, a disabled
account, idleness and the absolute expiry are all checked on every request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from review_app.auth.roles import User
from review_app.auth.users import user_of
from seffaf.catalog.user_tables import LoginSessionRow, UserRow
from seffaf.clock import Clock
from seffaf.config import ReviewConfig

# last_seen_at is written at most this often, so a page's burst of requests costs one write;
# a session may therefore end up to this much before its idle timeout.
TOUCH_EVERY = timedelta(seconds=15)


class SessionEnd(StrEnum):
    REVOKED = "revoked"  # logout, password change, account disabled
    DISABLED = "disabled"
    IDLE = "idle"
    EXPIRED = "expired"


@dataclass(frozen=True)
class SessionState:
    last_seen_at: datetime
    expires_at: datetime
    idle_timeout_s: int
    revoked_at: datetime | None
    user_disabled: bool


def session_end(state: SessionState, now: datetime) -> SessionEnd | None:
    """Why the session no longer holds at `now`, or None while it does."""
    if state.revoked_at is not None and state.revoked_at <= now:
        return SessionEnd.REVOKED
    if state.user_disabled:
        return SessionEnd.DISABLED
    if now >= state.expires_at:
        return SessionEnd.EXPIRED
    if now - state.last_seen_at >= timedelta(seconds=state.idle_timeout_s):
        return SessionEnd.IDLE
    return None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token_for(token: str) -> str:
    """The session's CSRF token, derived from its secret cookie token: nothing more to store, nothing to leak."""
    return hmac.new(token.encode(), b"seffaf csrf v1", hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Opened:
    token: str
    csrf_token: str
    expires_at: datetime


class LoginSessions:
    def __init__(self, session: Session, config: ReviewConfig, clock: Clock) -> None:
        self._session = session
        self._config = config
        self._clock = clock

    def open(self, user_id: int, client_ip: str | None) -> Opened:
        now = self._clock()
        token = secrets.token_urlsafe(32)
        expires_at = now + timedelta(seconds=self._config.absolute_timeout_seconds)
        self._session.add(LoginSessionRow(token_sha256=token_hash(token), user_id=user_id, client_ip=client_ip,
                                          created_at=now, last_seen_at=now, expires_at=expires_at,
                                          idle_timeout_s=self._config.idle_timeout_seconds))  # fmt: skip
        return Opened(token=token, csrf_token=csrf_token_for(token), expires_at=expires_at)

    def resolve(self, token: str) -> User | None:
        """The user of a live session (marking it seen), or None: unknown, revoked, disabled, idle or expired."""
        found = self._session.execute(
            select(LoginSessionRow, UserRow)
            .join(UserRow, UserRow.id == LoginSessionRow.user_id)
            .where(LoginSessionRow.token_sha256 == token_hash(token))
        ).first()
        if found is None:
            return None
        login, account = found
        now = self._clock()
        state = SessionState(login.last_seen_at, login.expires_at, login.idle_timeout_s, login.revoked_at,
                             account.disabled)  # fmt: skip
        if session_end(state, now) is not None:
            return None
        if now - login.last_seen_at >= TOUCH_EVERY:
            login.last_seen_at = now
        return user_of(account)

    def revoke(self, token: str) -> bool:
        result = self._session.execute(
            update(LoginSessionRow)
            .where(LoginSessionRow.token_sha256 == token_hash(token), LoginSessionRow.revoked_at.is_(None))
            .values(revoked_at=self._clock())
        )
        return bool(getattr(result, "rowcount", 0))

    def prune(self) -> int:
        """Delete sessions that can no longer hold (revoked or past their absolute expiry); how many.

        The audit trail keeps every login and logout, so the table only needs live sessions; idle
        ones go at their absolute expiry.
        """
        now = self._clock()
        ended = or_(LoginSessionRow.revoked_at.is_not(None), LoginSessionRow.expires_at <= now)
        result = self._session.execute(delete(LoginSessionRow).where(ended))
        return int(getattr(result, "rowcount", 0))
