"""In Chromium, a reviewer's round: log in through the form, search a ticket, open its session, say why,
watch the leg, jump to a finding from its marker, log out; pages after logout lead back to the login page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from review_app.app import create_app
from seffaf.catalog.connect import open_catalog
from seffaf.catalog.observation_tables import ObservationRow
from seffaf.config import Settings
from tests.support.browser import live_app
from tests.support.recorded_leg import (
    CAMERA,
    REVIEWER_PASSWORD,
    T0,
    CataloguedLeg,
    add_finding,
    add_reviewer,
    catalog_leg,
)

pytestmark = pytest.mark.integration

FINDING_AT = T0 + timedelta(seconds=52.5)  # in the fifth file, after a hole in the footage
ABSENT = (T0 + timedelta(seconds=45), T0 + timedelta(seconds=58))
VIDEO = "document.querySelector('video')"
PLAYER = "document.querySelector('[data-seffaf-player]').seffafPlayer"
# The wall-clock moment on screen, by hls.js' own placement of the files (matched by PROGRAM-DATE-TIME).
SHOWN = f"""() => {{
  const v = {VIDEO}, hls = {PLAYER}.hls;
  const f = hls.levels[0].details.fragments.find(f => f.start <= v.currentTime && v.currentTime < f.end);
  return {{shownMs: f ? f.programDateTime + (v.currentTime - f.start) * 1000 : null, errors: {PLAYER}.errors}};
}}"""
SETTLED = f"() => !{VIDEO}.seeking && {VIDEO}.readyState >= 3"


@dataclass(frozen=True)
class Site:
    base_url: str
    leg: CataloguedLeg
    finding: int


@pytest.fixture(scope="module")
def site(recorded_footage: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    directory = tmp_path_factory.mktemp("pages")
    leg = catalog_leg(recorded_footage, directory, f"sqlite:///{directory / 'catalog.sqlite3'}")
    finding = add_finding(leg, FINDING_AT, "Operator away")
    add_reviewer(leg.database_url, "aysel", ["baku-1"])
    catalog = open_catalog(leg.database_url)
    with catalog.sessions() as session, session.begin():  # what the analytics would have seen
        session.add(ObservationRow(segment_key=f"segments/{CAMERA}/5.mp4", cache_key="test", camera=CAMERA,
                                   start=ABSENT[0], end=ABSENT[1], kind="operator_absent", value=0.0, confidence=0.9,
                                   detector="presence", detector_version="test"))  # fmt: skip
    catalog.close()
    with live_app(create_app(Settings(database_url=leg.database_url, data_dir=directory))) as base_url:
        yield Site(base_url, leg, finding)


def shown_at(page: Page) -> datetime:
    state = page.evaluate(SHOWN)
    assert state["errors"] == [] and state["shownMs"] is not None, state
    return datetime.fromtimestamp(state["shownMs"] / 1000, T0.tzinfo)


def test_log_in_search_watch_a_finding_and_log_out(site: Site, page: Page) -> None:
    page.goto(f"{site.base_url}/")
    expect(page).to_have_url(f"{site.base_url}/login?next=%2Fsearch")
    page.fill("#username", "aysel")
    page.fill("#password", "not the password")
    page.click("[data-login-form] button")
    expect(page.locator("[data-login-message]")).to_have_text("Wrong username or password.")
    page.fill("#password", REVIEWER_PASSWORD)
    page.click("[data-login-form] button")
    expect(page).to_have_url(f"{site.base_url}/search")
    expect(page.locator("[data-role=username]")).to_have_text("aysel")

    page.fill("#f-ticket", "A9")
    page.click("[data-search-form] button[type=submit]")
    expect(page.locator("[data-total]")).to_have_attribute("data-total", "1")
    page.click("a[data-ticket]")
    expect(page).to_have_url(f"{site.base_url}/sessions/{site.leg.visit_id}")
    expect(page.locator("[data-ticket-timeline] [data-event=called]")).to_contain_text("10:00:08")
    expect(page.locator(f"[data-finding='{site.finding}']")).to_contain_text("Operator away")

    page.fill("#reason-0", "complaint C-17")
    with page.expect_navigation():  # until the page has loaded and hls.js has the video
        page.click("[data-reason-form][data-leg='0'] button")
    expect(page).to_have_url(re.compile(r"\?leg=0&reason=complaint\+C-17#leg-0$"))
    page.evaluate(f"() => {{ {VIDEO}.muted = true; return {VIDEO}.play(); }}")
    page.wait_for_function(f"() => {VIDEO}.currentTime > 1.5 && {VIDEO}.readyState >= 3", timeout=20_000)
    expect(page.locator("[data-seffaf-tracks]")).to_have_attribute("data-state", "ready")
    expect(page.locator("[data-track=operator] [data-kind=operator_absent]")).to_have_count(1)
    expect(page.locator(".seffaf-player__hole[data-cause='recorded:source_discontinuity']")).to_have_count(1)

    page.click(f"[data-marker-id='{site.finding}']")
    page.wait_for_function(SETTLED, timeout=20_000)
    assert abs((shown_at(page) - FINDING_AT).total_seconds()) < 1.0  # the finding's moment is on screen
    page.evaluate(f"() => {{ {VIDEO}.currentTime = 0; }}")
    page.wait_for_function(SETTLED, timeout=20_000)
    page.click(f"[data-finding='{site.finding}'] [data-seek]")  # its evidence range, in the findings table
    page.wait_for_function(SETTLED, timeout=20_000)
    assert abs((shown_at(page) - FINDING_AT).total_seconds()) < 1.0

    page.click("[data-logout-form] button")
    expect(page).to_have_url(f"{site.base_url}/login")
    page.goto(f"{site.base_url}/sessions/{site.leg.visit_id}")
    expect(page).to_have_url(f"{site.base_url}/login?next=%2Fsessions%2F{site.leg.visit_id}")
    expect(page.locator("[data-login-form]")).to_be_visible()
