"""Where pages send the browser: the login redirect keeps the page asked for; `next` never leaves the site."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from review_app.pages.navigation import is_page, login_redirect, safe_next, wants_html


@pytest.mark.parametrize(
    ("target", "followed"),
    [
        ("/sessions/5?leg=0&reason=complaint+C-17", "/sessions/5?leg=0&reason=complaint+C-17"),
        ("/search?ticket=A042", "/search?ticket=A042"),
        ("/findings/12", "/findings/12"),
        (None, "/search"),
        ("", "/search"),
        ("https://evil.example/", "/search"),
        ("//evil.example/path", "/search"),
        ("/\\evil.example", "/search"),
        ("\\\\evil.example", "/search"),
        ("/\t/evil.example", "/search"),  # browsers drop the tab: //evil.example
        ("/\n/evil.example", "/search"),
        ("javascript:alert(1)", "/search"),
        ("search", "/search"),
        ("/login?next=/search", "/search"),  # never back to the login page
        ("/login", "/search"),
    ],
)
def test_only_same_site_paths_are_followed_after_login(target: str | None, followed: str) -> None:
    assert safe_next(target) == followed


@pytest.mark.parametrize(
    ("method", "path", "query", "target"),
    [
        ("GET", "/sessions/5", "leg=0&reason=x+y", "/login?next=%2Fsessions%2F5%3Fleg%3D0%26reason%3Dx%2By"),
        ("GET", "/search", "", "/login?next=%2Fsearch"),
        ("HEAD", "/audit", "", "/login?next=%2Faudit"),
        ("POST", "/logout", "", "/login"),  # a form post cannot be repeated by a redirect
        ("GET", "/login", "next=/search", "/login"),
    ],
)
def test_the_login_redirect_remembers_the_page_asked_for(method: str, path: str, query: str, target: str) -> None:
    assert login_redirect(method, path, query) == target
    remembered = parse_qs(urlsplit(target).query).get("next")
    if remembered:  # and the login page will follow it back there
        assert safe_next(remembered[0]) == f"{path}?{query}".rstrip("?")


@pytest.mark.parametrize(
    ("path", "accept", "page", "html"),
    [
        ("/sessions/5", "text/html,application/xhtml+xml,*/*;q=0.8", True, True),
        ("/sessions/5", "*/*", True, False),  # a script or test client: the JSON answer
        ("/search", "TEXT/HTML", True, True),
        ("/api/v1/sessions/5", "text/html", False, False),
        ("/api", "text/html", False, False),
        ("/static/player.js", "text/html", False, False),
        ("/", "text/html", True, True),
    ],
)
def test_pages_answer_browsers_with_pages_and_the_api_with_json(path: str, accept: str, page: bool, html: bool) -> None:
    assert is_page(path) is page
    assert wants_html(path, accept) is html
