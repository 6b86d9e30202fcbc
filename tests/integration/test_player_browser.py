"""In Chromium: the leg's footage plays through hls.js, and a finding marker seeks to its moment."""

from __future__ import annotations

import base64
import http.cookiejar
import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Response

from review_app.app import create_app
from review_app.media.playlist import Timeline, player_time
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

IN_FOOTAGE = T0 + timedelta(seconds=52.5)  # the fifth file, after a hole: where drift would show
IN_HOLE = T0 + timedelta(seconds=30)  # no footage 10:00:25-10:00:40: the player goes to 10:00:40
RESUMES = T0 + timedelta(seconds=40)
VIDEO = "document.querySelector('video')"
PLAYER = "document.querySelector('[data-seffaf-player]').seffafPlayer"
# What the player shows now, by hls.js' own placement of the files (matched by PROGRAM-DATE-TIME).
SHOWN = f"""() => {{
  const v = {VIDEO}, hls = {PLAYER}.hls;
  const f = hls.levels[0].details.fragments.find(f => f.start <= v.currentTime && v.currentTime < f.end);
  return {{t: v.currentTime, shownMs: f ? f.programDateTime + (v.currentTime - f.start) * 1000 : null,
           ready: v.readyState, errors: {PLAYER}.errors}};
}}"""
SETTLED = f"() => !{VIDEO}.seeking && {VIDEO}.readyState >= 3"


@dataclass(frozen=True)
class Site:
    base_url: str
    leg: CataloguedLeg
    timeline: Timeline
    findings: dict[datetime, int]

    @property
    def player_url(self) -> str:
        return f"{self.base_url}/sessions/{self.leg.visit_id}/legs/{self.leg.leg_index}/player"

    def sign_in(self, page: Page) -> None:
        """Log in as the reviewer; the page's request context shares the browser's cookies."""
        answer = page.request.post(f"{self.base_url}/api/v1/auth/login",
                                   data={"username": "aysel", "password": REVIEWER_PASSWORD})  # fmt: skip
        assert answer.status == 200, answer.text()


@pytest.fixture(scope="module")
def site(recorded_footage: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    directory = tmp_path_factory.mktemp("player")
    leg = catalog_leg(recorded_footage, directory, f"sqlite:///{directory / 'catalog.sqlite3'}")
    findings = {at: add_finding(leg, at, title) for at, title in [(IN_FOOTAGE, "Operator away"),
                                                                  (IN_HOLE, "Camera covered")]}  # fmt: skip
    add_reviewer(leg.database_url, "aysel", ["baku-1"])
    with live_app(create_app(Settings(database_url=leg.database_url, data_dir=directory))) as base_url:
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        login = json.dumps({"username": "aysel", "password": REVIEWER_PASSWORD}).encode()
        browser.open(urllib.request.Request(f"{base_url}/api/v1/auth/login", login,  # noqa: S310
                                            {"Content-Type": "application/json"}))  # fmt: skip
        with browser.open(f"{base_url}/api/v1/sessions/{leg.visit_id}/legs/0/timeline") as answer:
            timeline = Timeline.model_validate(json.load(answer)["timeline"])
        yield Site(base_url, leg, timeline, findings)


def shown(page: Page) -> tuple[float, datetime]:
    state = page.evaluate(SHOWN)
    assert state["errors"] == [] and state["ready"] >= 3 and state["shownMs"] is not None, state
    return state["t"], datetime.fromtimestamp(state["shownMs"] / 1000, T0.tzinfo)


def test_the_video_plays_and_finding_markers_seek_to_their_moments(site: Site, page: Page) -> None:
    api: list[Response] = []
    page.on("response", lambda r: api.append(r) if "/api/v1/" in r.url else None)
    site.sign_in(page)
    page.goto(site.player_url)
    assert page.locator("[data-reason-form]").is_visible()  # no footage before the viewer says why
    page.fill("#reason", "complaint C-17")
    with page.expect_navigation():
        page.click("[data-reason-form] button")
    assert page.evaluate("() => typeof Hls === 'function' && Hls.isSupported()"), "hls.js not served or unsupported"
    page.evaluate(f"() => {{ {VIDEO}.muted = true; return {VIDEO}.play(); }}")
    page.wait_for_function(f"() => {VIDEO}.currentTime > 1.5 && {VIDEO}.readyState >= 3", timeout=20_000)
    playing_at, _ = shown(page)

    page.click(f"[data-marker-id='{site.findings[IN_FOOTAGE]}']")
    page.wait_for_function(SETTLED, timeout=20_000)
    position, at = shown(page)
    nominal = player_time(site.timeline, IN_FOOTAGE)
    assert nominal is not None and abs(position - nominal) < 1.0  # the timeline map's answer, within 1 s
    assert abs((at - IN_FOOTAGE).total_seconds()) < 0.3, at  # and the moment on screen is the finding's
    page.wait_for_function(f"() => {VIDEO}.currentTime > {position + 0.5}", timeout=20_000)  # plays on from there

    page.click(f"[data-marker-id='{site.findings[IN_HOLE]}']")
    page.wait_for_function(SETTLED, timeout=20_000)
    _, at = shown(page)
    assert abs((at - RESUMES).total_seconds()) < 0.5, at  # in a hole: where the footage resumes
    assert "10:00:4" in page.inner_text("[data-role=clock]")  # shown in the centre's time zone (Baku)

    assert playing_at > 1.5
    media = [r for r in api if urlsplit(r.url).path.endswith(".mp4")]
    assert any(urlsplit(r.url).path.endswith(f"/{CAMERA}/5.mp4") for r in media)
    assert all(r.status == 200 and "view=" in urlsplit(r.url).query for r in media)  # each fetch names its view
    assert {r.headers.get("cache-control") for r in api} == {"no-store"}


def test_byte_ranges_through_the_browser(site: Site, page: Page) -> None:
    [path] = (site.leg.objects / "segments" / CAMERA).glob("000000000002_*.mp4")
    stored = path.read_bytes()
    site.sign_in(page)
    page.goto(site.player_url + "?reason=range+check")
    fetched = page.evaluate(
        """async ([url, range]) => {
             const r = await fetch(url, {headers: {Range: range}});
             const bytes = new Uint8Array(await r.arrayBuffer());
             return {status: r.status, range: r.headers.get('content-range'), cache: r.headers.get('cache-control'),
                     body: btoa(String.fromCharCode(...bytes))};
           }""",
        [f"{site.base_url}/api/v1/media/{CAMERA}/2.mp4", "bytes=1000-1999"],
    )
    assert (fetched["status"], fetched["cache"]) == (206, "no-store")
    assert fetched["range"] == f"bytes 1000-1999/{len(stored)}"
    assert base64.b64decode(fetched["body"]) == stored[1000:2000]
    refused = page.evaluate(
        "async (url) => (await fetch(url, {headers: {Range: 'bytes=99999999-'}})).status",
        f"{site.base_url}/api/v1/media/{CAMERA}/2.mp4",
    )
    assert refused == 416
