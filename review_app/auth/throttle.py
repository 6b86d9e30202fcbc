"""LoginThrottle: too many failed logins for a username or from a client IP answer 429 for a while.

Attempts are rows in the catalog, so every app process (and machine) counts the same failures.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from seffaf.catalog.user_tables import LoginAttemptRow
from seffaf.clock import Clock
from seffaf.config import ReviewConfig


def throttled(failures: int, max_failures: int) -> bool:
    """The attempt after the `max_failures`-th failure in the window is refused unchecked."""
    return failures >= max_failures


class LoginThrottle:
    def __init__(self, session: Session, config: ReviewConfig, clock: Clock) -> None:
        self._session = session
        self._config = config
        self._clock = clock

    def failures(self, username: str, client_ip: str, now: datetime) -> int:
        since = now - timedelta(seconds=self._config.login_window_seconds)
        query = (
            select(func.count())
            .select_from(LoginAttemptRow)
            .where(
                LoginAttemptRow.at >= since,
                LoginAttemptRow.succeeded.is_(False),
                or_(LoginAttemptRow.username == username, LoginAttemptRow.client_ip == client_ip),
            )
        )
        return self._session.scalar(query) or 0

    def blocked(self, username: str, client_ip: str) -> bool:
        return throttled(self.failures(username, client_ip, self._clock()), self._config.login_max_failures)

    def record(self, username: str, client_ip: str, succeeded: bool) -> None:
        """Record the attempt; attempts older than the window decide nothing more and are deleted.

        The audit trail keeps every attempt, so this table stays as small as the window, even under
        a password-guessing flood.
        """
        now = self._clock()
        since = now - timedelta(seconds=self._config.login_window_seconds)
        self._session.execute(delete(LoginAttemptRow).where(LoginAttemptRow.at < since))
        self._session.add(LoginAttemptRow(at=now, username=username[:64], client_ip=client_ip[:64],
                                          succeeded=succeeded))  # fmt: skip
