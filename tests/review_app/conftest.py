"""A running review app on a fresh catalog (SQLite, then PostgreSQL), with a hand-stepped clock and accounts."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from review_app.app import create_app
from review_app.auth.dependencies import SESSION_COOKIE
from review_app.auth.passwords import Passwords
from review_app.auth.users import UserDirectory
from seffaf.catalog.connect import Catalog, open_catalog
from seffaf.catalog.sites_repo import store_sites
from seffaf.config import ReviewConfig, Settings
from seffaf.sites import Sites
from seffaf.storage.local import LocalObjectStore
from tests.support.clock import SteppedClock
from tests.support.queue import SITES

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"  # noqa: S105 (the test accounts' password)
IDLE_S = 600
ABSOLUTE_S = 3600


@dataclass
class ReviewApp:
    app: FastAPI
    client: TestClient
    clock: SteppedClock
    catalog: Catalog  # a second connection to the same database, for setting up and looking behind the API

    def login(self, username: str, password: str = PASSWORD) -> str:
        """Log in; returns the CSRF token (the client keeps the cookie)."""
        response = self.client.post("/api/v1/auth/login", json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        token: str = response.json()["csrf_token"]
        return token

    def cookie(self) -> str:
        value = self.client.cookies.get(SESSION_COOKIE)
        assert value is not None
        return value


@pytest.fixture(scope="session")
def password_hash() -> str:
    return Passwords().hash(PASSWORD)  # argon2 takes ~0.1 s: once per run


def add_users(catalog: Catalog, password_hash: str) -> None:
    with catalog.sessions() as session, session.begin():
        store_sites(session, Sites.model_validate(tomllib.loads(SITES)))
        users = UserDirectory(session)
        users.add("aysel", password_hash, ["reviewer"], ["baku-1"], ["op-7"], T0)
        users.add("admin", password_hash, ["admin"], [], [], T0)
        users.add("kamran", password_hash, ["auditor"], [], [], T0)


def build(
    tmp_path: Path, database_url: str, password_hash: str, review: ReviewConfig, base_url: str = "http://testserver"
) -> Iterator[ReviewApp]:
    catalog = open_catalog(database_url)
    add_users(catalog, password_hash)
    clock = SteppedClock(T0)
    settings = Settings(database_url=database_url, data_dir=tmp_path, review=review)
    app = create_app(settings, store=LocalObjectStore(tmp_path / "objects"), clock=clock)
    yield ReviewApp(app, TestClient(app, base_url=base_url), clock, catalog)
    catalog.close()


@pytest.fixture
def web(tmp_path: Path, database_url: str, password_hash: str) -> Iterator[ReviewApp]:
    """Accounts: aysel (reviewer at baku-1, linked to operator op-7), admin, kamran (auditor); one password."""
    review = ReviewConfig(idle_timeout_seconds=IDLE_S, absolute_timeout_seconds=ABSOLUTE_S)
    for harness in build(tmp_path, database_url, password_hash, review):
        with harness.client:
            yield harness
