"""When a login session stops holding: revoked, account disabled, absolute expiry, idleness."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from review_app.auth.login_sessions import SessionEnd, SessionState, csrf_token_for, session_end, token_hash
from review_app.auth.throttle import throttled

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
IDLE = 1800


def state(last_seen_min: float = 0, expires_min: float = 720, revoked_min: float | None = None,
          disabled: bool = False) -> SessionState:  # fmt: skip
    revoked = T0 + timedelta(minutes=revoked_min) if revoked_min is not None else None
    return SessionState(T0 + timedelta(minutes=last_seen_min), T0 + timedelta(minutes=expires_min), IDLE, revoked,
                        disabled)  # fmt: skip


@pytest.mark.parametrize(
    ("session", "now_min", "ended"),
    [
        (state(), 0, None),
        (state(), 29.9, None),
        (state(), 30, SessionEnd.IDLE),  # exactly the idle timeout ends it
        (state(last_seen_min=600), 629, None),  # active sessions live on...
        (state(last_seen_min=700), 720, SessionEnd.EXPIRED),  # ...until the absolute expiry
        (state(revoked_min=5), 10, SessionEnd.REVOKED),
        (state(revoked_min=5), 4, None),  # revoked in the future (clock skew between processes): not yet
        (state(disabled=True), 1, SessionEnd.DISABLED),
        (state(revoked_min=5, disabled=True), 10, SessionEnd.REVOKED),
    ],
)
def test_session_end(session: SessionState, now_min: float, ended: SessionEnd | None) -> None:
    assert session_end(session, T0 + timedelta(minutes=now_min)) == ended


def test_tokens_are_stored_hashed_and_csrf_tokens_differ_per_session() -> None:
    assert token_hash("abc") != "abc" and len(token_hash("abc")) == 64
    assert csrf_token_for("abc") == csrf_token_for("abc") != csrf_token_for("abd")


@pytest.mark.parametrize(("failures", "blocked"), [(0, False), (4, False), (5, True), (9, True)])
def test_the_sixth_attempt_after_five_failures_is_throttled(failures: int, blocked: bool) -> None:
    assert throttled(failures, max_failures=5) is blocked
