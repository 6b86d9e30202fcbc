"""The login and logout forms, and pages sending the signed-out (or expired) to the login page and back."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx2 as httpx
import pytest

from review_app.audit.entries import AuditFilter
from review_app.audit.log import AuditLog
from review_app.auth.login_sessions import csrf_token_for
from tests.review_app.conftest import IDLE_S, PASSWORD, ReviewApp

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def log_in(web: ReviewApp, username: str, password: str = PASSWORD, next_page: str = "") -> httpx.Response:
    form = {"username": username, "password": password, "next": next_page}
    return web.client.post("/login", data=form, headers=BROWSER, follow_redirects=False)


def trail(web: ReviewApp, action: str) -> list[tuple[str | None, str | None, str | None, str]]:
    with web.catalog.sessions() as session:
        found = AuditLog(session).search(AuditFilter(action=action))
    return [(e.actor, e.object_id, e.reason, e.outcome) for e in found]


def location(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    return response.headers["location"]


@pytest.mark.parametrize(
    "page", ["/search?ticket=A042&page=2", "/sessions/5?leg=0&reason=complaint+C-17",
             "/sessions/5/legs/0/player?reason=x+y", "/audit"],
)  # fmt: skip
def test_a_signed_out_browser_is_sent_to_the_login_page_and_back(web: ReviewApp, page: str) -> None:
    target = location(web.client.get(page, headers=BROWSER, follow_redirects=False))
    assert urlsplit(target).path == "/login" and parse_qs(urlsplit(target).query) == {"next": [page]}
    form = web.client.get(target, headers=BROWSER)
    assert form.status_code == 200 and "data-login-form" in form.text
    assert re.search(r'name="next" value="([^"]*)"', form.text).group(1) == page.replace("&", "&amp;")  # type: ignore[union-attr]
    assert location(log_in(web, "admin", next_page=page)) == page


def test_the_api_still_answers_the_signed_out_with_a_json_401(web: ReviewApp) -> None:
    response = web.client.get("/api/v1/sessions", headers=BROWSER, follow_redirects=False)
    assert response.status_code == 401 and response.headers["content-type"] == "application/json"


def test_logging_in_sets_the_session_and_the_nav_names_the_user_with_a_logout_form(web: ReviewApp) -> None:
    assert location(log_in(web, "Aysel ")) == "/search"  # usernames as the JSON login reads them
    page = web.client.get("/search", headers=BROWSER)
    assert page.status_code == 200
    assert '<span class="topbar__user" data-role="username">aysel</span>' in page.text
    assert f'name="csrf_token" value="{csrf_token_for(web.cookie())}"' in page.text
    assert 'href="/findings"' in page.text and 'href="/audit"' not in page.text  # a reviewer sees no audit link
    assert trail(web, "login") == [("aysel", "aysel", None, "ok")]


def test_a_wrong_password_shows_the_form_again_with_a_message(web: ReviewApp) -> None:
    response = log_in(web, "aysel", "not the password", "/sessions/5")
    assert response.status_code == 401
    assert "Wrong username or password." in response.text and 'value="aysel"' in response.text
    assert 'name="next" value="/sessions/5"' in response.text  # still going there after a retry
    assert web.client.cookies.get("seffaf_session") is None
    unknown = log_in(web, "nobody", "whatever it is")
    assert unknown.status_code == 401 and "Wrong username or password." in unknown.text  # the same words
    assert [(actor, obj, reason) for actor, obj, reason, _ in trail(web, "login_failed")] == [
        (None, "nobody", "unknown user"), (None, "aysel", "wrong password")]  # fmt: skip
    empty = log_in(web, "aysel", "")
    assert empty.status_code == 400 and "Enter your username and password." in empty.text
    assert len(trail(web, "login_failed")) == 2  # an empty form is no attempt


def test_too_many_failures_are_refused_with_a_message_even_with_the_right_password(web: ReviewApp) -> None:
    for _ in range(5):
        assert log_in(web, "aysel", "wrong password!").status_code == 401
    refused = log_in(web, "aysel")
    assert refused.status_code == 429 and refused.headers["retry-after"] == "900"
    assert "Too many failed logins" in refused.text and "try again in 15 minutes" in refused.text
    assert web.client.cookies.get("seffaf_session") is None
    assert trail(web, "login_failed")[0][2:] == ("too many failed logins", "rate_limited")


@pytest.mark.parametrize(
    "next_page",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "/\t/evil.example",
     "http:/evil.example", "/login"],
)  # fmt: skip
def test_login_never_redirects_off_the_site(web: ReviewApp, next_page: str) -> None:
    assert location(log_in(web, "aysel", next_page=next_page)) == "/search"
    web.client.cookies.clear()
    form = web.client.get("/login", params={"next": next_page}, headers=BROWSER)
    assert 'name="next" value="/search"' in form.text


def test_the_logout_form_needs_the_csrf_token_and_ends_the_session(web: ReviewApp) -> None:
    log_in(web, "aysel")
    refused = web.client.post("/logout", data={}, headers=BROWSER, follow_redirects=False)
    assert refused.status_code == 403 and "CSRF token missing or wrong" in refused.text  # an error page
    assert web.client.get("/search", headers=BROWSER).status_code == 200  # still signed in
    done = web.client.post("/logout", data={"csrf_token": csrf_token_for(web.cookie())}, headers=BROWSER,
                           follow_redirects=False)  # fmt: skip
    assert location(done) == "/login"
    assert location(web.client.get("/search", headers=BROWSER, follow_redirects=False)) == "/login?next=%2Fsearch"
    assert trail(web, "logout") == [("aysel", "aysel", None, "ok")]


def test_an_expired_session_is_sent_to_the_login_page(web: ReviewApp) -> None:
    log_in(web, "aysel")
    assert web.client.get("/search", headers=BROWSER, follow_redirects=False).status_code == 200
    web.clock.advance(IDLE_S + 1)
    answer = web.client.get("/search?ticket=A042", headers=BROWSER, follow_redirects=False)
    assert location(answer) == "/login?next=%2Fsearch%3Fticket%3DA042"


def test_the_audit_page_is_for_auditors_and_admins(web: ReviewApp) -> None:
    log_in(web, "aysel")
    refused = web.client.get("/audit", headers=BROWSER)
    assert refused.status_code == 403 and "Not allowed" in refused.text
    web.client.cookies.clear()
    log_in(web, "kamran")
    page = web.client.get("/audit", params={"action": "login"}, headers=BROWSER)
    assert page.status_code == 200 and 'href="/audit" aria-current="page"' in page.text
    assert page.text.count('data-action="login"') == 2 and 'data-action="access_denied"' not in page.text
    assert location(web.client.get("/", follow_redirects=False)) == "/search"


def test_error_pages_for_browsers_json_for_scripts(web: ReviewApp) -> None:
    log_in(web, "aysel")
    page = web.client.get("/no/such/page", headers=BROWSER)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "There is nothing here, or nothing you may see." in page.text
    assert web.client.get("/no/such/page").json() == {"detail": "Not Found"}
    malformed = web.client.get("/sessions/abc", headers=BROWSER)
    assert malformed.status_code == 422 and "visit_id" in malformed.text
    assert web.client.get("/sessions/abc").json()["detail"][0]["loc"] == ["path", "visit_id"]
