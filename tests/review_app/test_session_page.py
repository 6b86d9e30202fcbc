"""The session page: ticket timeline in the centre's time, legs with operators and findings, the footage step,
hidden sessions answering like missing ones; and the leg's observation tracks for the player."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from review_app.audit.log import AuditLog
from tests.review_app.conftest import ReviewApp
from tests.review_app.pages_support import BROWSER, add_finding, add_observations, baku, text_of, two_visits
from tests.review_app.test_login_pages import log_in


@pytest.fixture
def visits(web: ReviewApp, tmp_path: Path) -> dict[str, int]:
    return two_visits(web, tmp_path)


def audit_rows(web: ReviewApp) -> list[tuple[str, str | None, str | None, dict[str, object], str]]:
    with web.catalog.sessions() as session:
        return [(e.action, e.actor, e.object_id, dict(e.detail), e.outcome) for e in AuditLog(session).all_entries()]


def test_the_ticket_timeline_in_the_centres_local_time(web: ReviewApp, visits: dict[str, int]) -> None:
    log_in(web, "aysel")
    page = web.client.get(f"/sessions/{visits['A042']}", headers=BROWSER)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    table = re.search(r"<table class=\"grid\" data-ticket-timeline>(.*?)</table>", page.text, re.S)
    assert table is not None
    rows = [text_of(row) for row in re.findall(r"<tr data-event[^>]*>(.*?)</tr>", table.group(1), re.S)]
    assert rows == [
        "10:00:00 issued passport",
        "10:02:11 called 1 7 3317",
        "10:02:40 started 1 7 3317",
        "10:09:00 transferred 1 7 3317 to window 12",
        "10:11:00 called 2 12 4410",
        "10:20:30 completed 2 12 4410",
    ]
    words = text_of(page.text)
    assert "Ticket A042 Baku ASAN 1 · 2026-05-04" in words and "Ticket timeline Asia/Baku" in words
    assert "Applications APP-1, APP-2" in words and "Coverage not linked" in words
    assert "Leg 1: window 7, operator 3317 (named by the queue event)" in words
    assert "Leg 2: window 12, operator 4410 (logged in at the window)" in words
    assert ("session_view", "aysel", str(visits["A042"]), {"page": "session"}, "ok") in audit_rows(web)


def test_each_legs_findings_with_evidence_status_and_a_link_to_review(web: ReviewApp, visits: dict[str, int]) -> None:
    absent = add_finding(web, "A042", 0, baku("10:03:00"), severity="high")
    voices = add_finding(web, "A042", 1, baku("10:12:00"), rule="raised_voice", explanation="raised voices 24 s")
    other_day = add_finding(web, "B001", 0, baku("11:02:00"))  # another ticket: not on this page
    log_in(web, "admin")
    page = web.client.get(f"/sessions/{visits['A042']}", headers=BROWSER).text
    legs = dict(re.findall(r'<section class="leg" id="leg-(\d)" data-leg="\d">(.*?)</section>', page, re.S))
    row = re.search(rf'<tr data-finding="{absent}">(.*?)</tr>', legs["0"], re.S)
    assert row is not None
    assert text_of(row.group(1)) == (
        "Operator absent high operator absent 200 s (limit 120 s) 10:03:00-10:06:20 operator absent open Review"
    )
    assert f'href="/findings/{absent}"' in row.group(1)
    assert f'data-finding="{voices}"' in legs["1"] and f'data-finding="{voices}"' not in legs["0"]
    assert f'data-finding="{other_day}"' not in page
    assert "No findings." not in page
    assert f"finding #{absent}: Operator absent" in legs["0"]  # offered as the reason to watch


def test_a_hidden_session_is_the_same_404_page_as_a_missing_one_and_audited(
    web: ReviewApp, visits: dict[str, int]
) -> None:
    log_in(web, "aysel")  # linked to op-7, who served B001
    hidden = web.client.get(f"/sessions/{visits['B001']}", headers=BROWSER)
    missing = web.client.get("/sessions/999999", headers=BROWSER)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text == missing.text and "There is nothing here, or nothing you may see." in hidden.text
    assert hidden.headers["content-type"] == missing.headers["content-type"] == "text/html; charset=utf-8"
    trail = audit_rows(web)
    assert ("access_denied", "aysel", str(visits["B001"]), {"method": "GET", "path": f"/sessions/{visits['B001']}",
                                                             "status": 404}, "denied") in trail  # fmt: skip
    assert not any(action == "session_view" and obj == str(visits["B001"]) for action, _, obj, _, _ in trail)
    assert web.client.get(f"/sessions/{visits['B001']}").json() == {"detail": f"session {visits['B001']} not found"}


def test_footage_is_embedded_only_once_the_viewer_says_why(web: ReviewApp, visits: dict[str, int]) -> None:
    finding = add_finding(web, "A042", 0, baku("10:03:00"))
    log_in(web, "aysel")
    url = f"/sessions/{visits['A042']}"
    plain = web.client.get(url, headers=BROWSER).text
    assert plain.count("data-reason-form") == 2 and "data-seffaf-player" not in plain and "hls.min.js" not in plain
    short = web.client.get(url, params={"leg": 0, "reason": "ok"}, headers=BROWSER).text
    assert "Say why you are watching (at least 3 characters)." in short and "data-seffaf-player" not in short
    page = web.client.get(url, params={"leg": 0, "reason": " complaint C-17 "}, headers=BROWSER).text
    assert page.count("data-seffaf-player") == 1 and page.count("data-reason-form") == 1  # leg 2 still asks
    assert "/static/vendor/hls.min.js" in page and "/static/tracks.js" in page
    config = json.loads(re.search(r'data-role="config">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    assert config["playlist_url"] == f"/api/v1/sessions/{visits['A042']}/legs/0/playlist.m3u8?reason=complaint+C-17"
    assert config["timezone"] == "Asia/Baku"
    assert [(m["id"], m["at"]) for m in config["markers"]] == [(finding, "2026-05-04T06:03:00Z")]
    assert f'data-url="/api/v1/sessions/{visits["A042"]}/legs/0/observations"' in page
    assert f'data-seek="{baku("10:03:00").isoformat()}"' in page  # the evidence seeks the player
    assert "Watching for: “complaint C-17”" in page
    unknown = web.client.get(url, params={"leg": 5, "reason": "complaint C-17"}, headers=BROWSER).text
    assert "This session has no leg 6." in unknown and "data-seffaf-player" not in unknown
    views = [detail for action, _, _, detail, _ in audit_rows(web) if action == "session_view"]
    assert {"page": "session", "leg": 0} in views


def test_the_observation_tracks_of_a_leg(web: ReviewApp, visits: dict[str, int]) -> None:
    add_observations(web, [
        ("operator_present", baku("10:02:00"), baku("10:02:10"), 1.0),
        ("operator_present", baku("10:02:10"), baku("10:02:20"), 1.0),  # the next segment's piece: joined
        ("operator_absent", baku("10:03:00"), baku("10:05:40"), 0.0),
        ("citizen_count", baku("10:02:40"), baku("10:04:00"), 2.0),
        ("loudness_lufs", baku("10:04:00"), baku("10:04:01"), -21.5),
        ("raised_voice", baku("10:04:00"), baku("10:04:03"), 1.0),
        ("black", baku("10:06:00"), baku("10:06:20"), 1.0),
        ("operator_absent", baku("10:30:00"), baku("10:31:00"), 0.0),  # long after the leg and its padding
    ])  # fmt: skip
    log_in(web, "aysel")
    response = web.client.get(f"/api/v1/sessions/{visits['A042']}/legs/0/observations")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    body = response.json()
    assert (body["camera"], body["span_start"], body["span_end"]) == (
        "baku-1-w07",
        "2026-05-04T06:01:41Z",
        "2026-05-04T06:09:30Z",
    )  # the leg, 30 s padding each side
    tracks = {t["name"]: [(i["start"][11:19], i["end"][11:19], i["kind"], i["value"]) for i in t["intervals"]]
              for t in body["tracks"]}  # fmt: skip
    assert tracks == {
        "operator": [
            ("06:02:00", "06:02:20", "operator_present", 1.0),
            ("06:03:00", "06:05:40", "operator_absent", 0.0),
        ],
        "citizens": [("06:02:40", "06:04:00", "citizen_count", 2.0)],
        "loudness": [("06:04:00", "06:04:01", "loudness_lufs", -21.5)],
        "raised_voice": [("06:04:00", "06:04:03", "raised_voice", 1.0)],
        "camera": [("06:06:00", "06:06:20", "black", 1.0)],
    }
    unfilmed = web.client.get(f"/api/v1/sessions/{visits['A042']}/legs/1/observations").json()  # window 12: no camera
    assert unfilmed["camera"] is None and all(t["intervals"] == [] for t in unfilmed["tracks"])


def test_observations_out_of_scope_answer_like_missing_ones(web: ReviewApp, visits: dict[str, int]) -> None:
    log_in(web, "aysel")
    hidden = web.client.get(f"/api/v1/sessions/{visits['B001']}/legs/0/observations")
    missing_leg = web.client.get(f"/api/v1/sessions/{visits['A042']}/legs/7/observations")
    missing_visit = web.client.get("/api/v1/sessions/999999/legs/0/observations")
    assert {(r.status_code, r.text) for r in (hidden, missing_leg, missing_visit)} == {(404, '{"detail":"not found"}')}
    assert ("access_denied", "aysel", str(visits["B001"])) in [row[:3] for row in audit_rows(web)]
    web.client.cookies.clear()
    assert web.client.get(f"/api/v1/sessions/{visits['A042']}/legs/0/observations").status_code == 401
