"""Logging in and out of the review app: cookie sessions, timeouts, CSRF, rate limits, all audited."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from review_app.audit.chain import ChainHead, verify_chain
from review_app.audit.entries import AuditEntry, AuditFilter
from review_app.audit.log import AuditLog
from review_app.auth.dependencies import SESSION_COOKIE
from review_app.auth.users import UserDirectory
from seffaf.catalog.user_tables import LoginAttemptRow, LoginSessionRow
from tests.review_app.conftest import ABSOLUTE_S, IDLE_S, PASSWORD, ReviewApp

LOGIN, LOGOUT, ME = "/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/auth/me"


def audit(harness: ReviewApp, action: str | None = None) -> list[AuditEntry]:
    with harness.catalog.sessions() as session:
        return AuditLog(session).search(AuditFilter(action=action))


def test_login_sets_an_http_only_cookie_and_me_answers(web: ReviewApp) -> None:
    response = web.client.post(LOGIN, json={"username": "Aysel ", "password": PASSWORD})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["username"], body["roles"], body["centers"]) == ("aysel", ["reviewer"], ["baku-1"])
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    me = web.client.get(ME)
    assert me.status_code == 200 and me.json() == body
    with web.catalog.sessions() as session:
        stored = session.scalars(select(LoginSessionRow.token_sha256)).all()
    assert web.cookie() not in stored and len(stored) == 1  # only the token's hash is kept
    [login] = audit(web, "login")
    assert (login.actor, login.outcome, login.detail) == ("aysel", "ok", {"client_ip": "testclient"})


def test_wrong_password_unknown_user_and_disabled_account_get_the_same_401(web: ReviewApp) -> None:
    with web.catalog.sessions() as session, session.begin():
        directory = UserDirectory(session)
        directory.set_disabled(directory.require("kamran"), True, web.clock())
    answers = [web.client.post(LOGIN, json={"username": u, "password": p})
               for u, p in [("aysel", "wrong password"), ("nobody", PASSWORD), ("kamran", PASSWORD)]]  # fmt: skip
    assert {(a.status_code, a.json()["detail"]) for a in answers} == {(401, "wrong username or password")}
    assert SESSION_COOKIE not in web.client.cookies
    failed = audit(web, "login_failed")
    assert [(e.object_id, e.reason, e.outcome) for e in reversed(failed)] == [
        ("aysel", "wrong password", "failed"), ("nobody", "unknown user", "failed"),
        ("kamran", "account disabled", "failed")]  # fmt: skip
    assert web.client.get(ME).status_code == 401


def test_five_failures_for_a_username_answer_429_even_to_the_right_password(web: ReviewApp) -> None:
    for _ in range(5):
        assert web.client.post(LOGIN, json={"username": "aysel", "password": "nope"}).status_code == 401
    refused = web.client.post(LOGIN, json={"username": "aysel", "password": PASSWORD})
    assert refused.status_code == 429 and refused.headers["retry-after"] == "900"
    assert audit(web, "login_failed")[0].outcome == "rate_limited"
    web.clock.advance(15 * 60 + 1)  # the failures leave the window
    web.login("aysel")


def test_failures_from_one_address_throttle_every_username(web: ReviewApp) -> None:
    for n in range(5):
        web.client.post(LOGIN, json={"username": f"guess{n}", "password": "nope"})
    assert web.client.post(LOGIN, json={"username": "admin", "password": PASSWORD}).status_code == 429


def test_failures_counted_by_another_process_throttle_too(web: ReviewApp) -> None:
    with web.catalog.sessions() as session, session.begin():
        session.add_all(LoginAttemptRow(at=web.clock() - timedelta(minutes=m), username="aysel",
                                        client_ip="10.9.9.9", succeeded=False) for m in range(5))  # fmt: skip
    assert web.client.post(LOGIN, json={"username": "aysel", "password": PASSWORD}).status_code == 429


def test_logout_ends_the_session_on_the_next_request(web: ReviewApp) -> None:
    csrf = web.login("aysel")
    old_cookie = web.cookie()
    response = web.client.post(LOGOUT, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 204
    web.client.cookies.set(SESSION_COOKIE, old_cookie)  # a copy of the cookie kept after logout
    assert web.client.get(ME).status_code == 401
    assert audit(web, "logout")[0].actor == "aysel"


def test_unsafe_requests_without_the_csrf_token_are_refused_and_audited(web: ReviewApp) -> None:
    csrf = web.login("aysel")
    for headers in ({}, {"X-CSRF-Token": "0" * 64}):
        refused = web.client.post(LOGOUT, headers=headers)
        assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert web.client.get(ME).status_code == 200  # still logged in
    denied = audit(web, "access_denied")
    assert len(denied) == 2 and denied[0].reason == "CSRF token missing or wrong"
    assert web.client.post(LOGOUT, headers={"X-CSRF-Token": csrf}).status_code == 204


def test_disabling_an_account_ends_its_session_on_the_next_request(web: ReviewApp) -> None:
    web.login("aysel")
    with web.catalog.sessions() as session, session.begin():
        directory = UserDirectory(session)
        directory.set_disabled(directory.require("aysel"), True, web.clock())
    assert web.client.get(ME).status_code == 401


def test_role_changes_apply_on_the_next_request(web: ReviewApp) -> None:
    web.login("aysel")
    with web.catalog.sessions() as session, session.begin():
        directory = UserDirectory(session)
        directory.set_scope(directory.require("aysel"), ["senior_reviewer"], None, None, web.clock())
    assert web.client.get(ME).json()["roles"] == ["senior_reviewer"]


def test_an_idle_session_ends_after_the_idle_timeout(web: ReviewApp) -> None:
    web.login("aysel")
    for _ in range(3):
        web.clock.advance(IDLE_S - 1)
        assert web.client.get(ME).status_code == 200  # each request keeps it alive
    web.clock.advance(IDLE_S)
    assert web.client.get(ME).status_code == 401


def test_an_active_session_ends_at_the_absolute_timeout(web: ReviewApp) -> None:
    web.login("aysel")
    step = IDLE_S // 2
    for _ in range(ABSOLUTE_S // step - 1):
        web.clock.advance(step)
        assert web.client.get(ME).status_code == 200
    web.clock.advance(step)
    assert web.client.get(ME).status_code == 401


def test_every_login_event_is_on_one_intact_chain(web: ReviewApp) -> None:
    web.client.post(LOGIN, json={"username": "aysel", "password": "nope"})
    csrf = web.login("aysel")
    web.client.post(LOGOUT, headers={"X-CSRF-Token": csrf})
    with web.catalog.sessions() as session:
        result = verify_chain(AuditLog(session).all_entries())
    assert isinstance(result, ChainHead) and result.rows == 3


def test_ended_sessions_and_stale_attempts_are_pruned_but_stay_in_the_audit_trail(web: ReviewApp) -> None:
    def sessions_and_attempts() -> tuple[int, int]:
        with web.catalog.sessions() as session:
            return (len(session.scalars(select(LoginSessionRow)).all()),
                    len(session.scalars(select(LoginAttemptRow)).all()))  # fmt: skip

    csrf = web.login("aysel")
    assert web.client.post(LOGOUT, headers={"X-CSRF-Token": csrf}).status_code == 204  # revoked
    web.login("kamran")  # live until its absolute expiry
    assert sessions_and_attempts() == (1, 2)  # the revoked session went at this login
    assert web.client.post(LOGIN, json={"username": "aysel", "password": "wrong"}).status_code == 401
    assert sessions_and_attempts() == (1, 3)
    web.clock.advance(ABSOLUTE_S + 1)  # kamran's session expired; every attempt left the rate-limit window
    web.login("aysel")
    assert sessions_and_attempts() == (1, 1)  # only aysel's new session and this attempt
    assert web.client.get(ME).json()["username"] == "aysel"
    assert sorted(e.actor or "" for e in audit(web, "login")) == ["aysel", "aysel", "kamran"]
    assert len(audit(web, "login_failed")) == 1
