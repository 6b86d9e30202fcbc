"""In Chromium: a reviewer opens the queue, opens a finding, saves a verdict with a comment, sees its status."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from review_app.app import create_app
from seffaf.catalog.connect import open_catalog
from seffaf.catalog.sites_repo import store_sites
from seffaf.config import Settings
from seffaf.sites import Sites
from tests.review_app.findings_support import add_finding, add_leg
from tests.support.browser import live_app
from tests.support.queue import SITES
from tests.support.recorded_leg import REVIEWER_PASSWORD, add_reviewer

pytestmark = pytest.mark.integration


def test_a_reviewer_saves_a_verdict_and_sees_it_listed_with_its_status(page: Page, tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    catalog = open_catalog(database_url)
    with catalog.sessions() as session, session.begin():
        store_sites(session, Sites.model_validate(tomllib.loads(SITES)))
        visit = add_leg(session, "A7", "3317")
    absent = add_finding(catalog, "A7", severity="medium")
    add_finding(catalog, "A8", severity="low", minutes=20)
    catalog.close()
    add_reviewer(database_url, "aysel", ["baku-1"])

    with live_app(create_app(Settings(database_url=database_url, data_dir=tmp_path))) as base_url:
        login = page.request.post(f"{base_url}/api/v1/auth/login",
                                  data={"username": "aysel", "password": REVIEWER_PASSWORD})  # fmt: skip
        assert login.status == 200, login.text()
        page.goto(f"{base_url}/findings")
        row = page.locator(f"[data-queue] tr[data-finding='{absent}']")
        expect(row.locator("[data-status]")).to_have_text("open")
        with page.expect_navigation():
            row.locator("a[data-open]").click()
        assert page.url == f"{base_url}/findings/{absent}"
        watch = page.locator("[data-evidence] a[data-watch]").first
        assert watch.get_attribute("href") == f"/sessions/{visit}/legs/0/player?reason=finding+%23{absent}"

        page.check("[data-verdict-form] input[name=verdict][value=confirmed]")
        page.fill("#comment", "the desk stood empty for the whole stretch")
        with page.expect_navigation():
            page.click("[data-verdict-form] button[type=submit]")
        assert page.url == f"{base_url}/findings/{absent}"
        expect(page.locator("[data-finding-status]")).to_have_attribute("data-finding-status", "confirmed")
        expect(page.locator("[data-history]")).to_contain_text("the desk stood empty for the whole stretch")
        expect(page.locator("[data-verdict-form]")).to_have_count(0)  # final: no more verdicts

        page.goto(f"{base_url}/findings?status=all")
        expect(page.locator(f"tr[data-finding='{absent}'] [data-status]")).to_have_text("confirmed")
        page.select_option("#q-status", "pending")
        with page.expect_navigation():
            page.click("[data-queue-form] button[type=submit]")
        expect(page.locator(f"tr[data-finding='{absent}']")).to_have_count(0)  # decided: off the queue
        expect(page.locator("[data-queue] tr[data-finding]")).to_have_count(1)
