"""Where a page sends the browser (pure, table-tested): the login redirect, a safe `next`, HTML or JSON errors."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

LOGIN_PATH = "/login"
LANDING_PATH = "/search"
_NOT_PAGES = ("/api/", "/static/")


def is_page(path: str) -> bool:
    """Pages are everything a browser navigates to; /api/* answers scripts and /static/* files."""
    return path != "/api" and not path.startswith(_NOT_PAGES)


def wants_html(path: str, accept: str) -> bool:
    """Errors on pages are pages for browsers (they ask for text/html); scripts keep the JSON answer."""
    return is_page(path) and "text/html" in accept.lower()


def safe_next(target: str | None) -> str:
    """A same-site relative path to go to after login, else the landing page: never an open redirect.

    Browsers read `//host`, `/\\host` and paths with tabs or newlines in them (which they strip)
    as another site, so only a plain path starting with a single `/` is followed.
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return LANDING_PATH
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return LANDING_PATH
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path == LOGIN_PATH:
        return LANDING_PATH
    return target


def login_redirect(method: str, path: str, query: str) -> str:
    """The login page, remembering the page asked for: only a GET can be asked for again by a redirect."""
    if method not in ("GET", "HEAD") or path == LOGIN_PATH:
        return LOGIN_PATH
    target = f"{path}?{query}" if query else path
    return f"{LOGIN_PATH}?{urlencode({'next': target})}"
