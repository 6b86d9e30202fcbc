"""The findings pages: the queue, a finding with its evidence links and forms (CSRF), samples, the scorecard."""

from __future__ import annotations

import re

import pytest

from tests.review_app.conftest import ReviewApp
from tests.review_app.findings_support import add_accounts, add_finding, add_leg

HTML = {"Accept": "text/html"}


@pytest.fixture
def team(web: ReviewApp, password_hash: str) -> ReviewApp:
    add_accounts(web, password_hash)
    return web


def page(web: ReviewApp, path: str, code: int = 200) -> str:
    answer = web.client.get(path, headers=HTML)
    assert answer.status_code == code, answer.text
    assert code >= 400 or answer.headers["cache-control"] == "no-store"
    return answer.text


def form_csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found is not None
    return found.group(1)


def test_a_reviewer_judges_a_finding_through_the_pages(team: ReviewApp) -> None:
    with team.catalog.sessions() as session, session.begin():
        visit = add_leg(session, "A1", "3317")
    finding = add_finding(team.catalog, "A1", severity="high", rule="ghost_service")
    add_finding(team.catalog, "A2", severity="low")
    assert team.client.get("/findings", headers=HTML, follow_redirects=False).headers["location"].startswith("/login")

    team.login("aysel")
    queue = page(team, "/findings")
    rows = re.findall(r'data-finding="(\d+)"', queue)
    assert rows[0] == str(finding) and len(rows) == 2  # high severity first
    assert 'data-total="2"' in queue and 'href="/samples"' in queue
    assert 'data-total="2"' in page(team, "/findings?status=maybe", code=422)  # the bad filter is named, left out

    html = page(team, f"/findings/{finding}")
    assert f'href="/sessions/{visit}/legs/0/player?reason=finding+%23{finding}"' in html
    assert "data-verdict-form" in html and "data-reply-form" in html and "ghost_service on A1" in html
    form = {"verdict": "confirmed", "comment": "nobody at the desk"}
    refused = team.client.post(f"/findings/{finding}/verdicts", data=form, headers=HTML)
    assert refused.status_code == 403  # no CSRF field
    saved = team.client.post(f"/findings/{finding}/verdicts", data={**form, "csrf_token": form_csrf(html)},
                             headers=HTML, follow_redirects=False)  # fmt: skip
    assert (saved.status_code, saved.headers["location"]) == (303, f"/findings/{finding}")
    html = page(team, f"/findings/{finding}")
    assert 'data-finding-status="awaiting_senior"' in html and "nobody at the desk" in html
    assert "data-verdict-form" not in html  # her second review is not hers to give
    reply = {"text": "I was at the archive", "csrf_token": form_csrf(html)}
    assert team.client.post(f"/findings/{finding}/replies", data=reply, headers=HTML).status_code == 200
    assert "I was at the archive" in page(team, f"/findings/{finding}")

    team.login("nigar")
    html = page(team, f"/findings/{finding}")
    final = team.client.post(f"/findings/{finding}/verdicts", headers=HTML,
                             data={"verdict": "dismissed", "comment": "seated out of frame",
                                   "csrf_token": form_csrf(html)})  # fmt: skip
    assert final.status_code == 200 and 'data-finding-status="dismissed"' in final.text
    again = team.client.post(f"/findings/{finding}/verdicts", headers=HTML,
                             data={"verdict": "confirmed", "comment": "x", "csrf_token": form_csrf(html)})  # fmt: skip
    assert again.status_code == 409 and "final" in again.text
    assert f'data-finding="{finding}"' in page(team, "/findings?status=dismissed")


def test_hidden_findings_pages_answer_like_missing_ones(team: ReviewApp) -> None:
    elsewhere = add_finding(team.catalog, "G1", center="ganja-1")
    team.login("aysel")
    hidden = team.client.get(f"/findings/{elsewhere}", headers=HTML)
    missing = team.client.get("/findings/999999", headers=HTML)
    assert hidden.status_code == missing.status_code == 404 and hidden.text == missing.text
    assert page(team, "/operators/op-9", code=404) == page(team, "/operators/nobody", code=404)


def test_samples_and_scorecard_pages(team: ReviewApp) -> None:
    with team.catalog.sessions() as session, session.begin():
        for n in range(3):
            add_leg(session, f"A{n}", "3317", minutes=n)
    add_finding(team.catalog, "A0", severity="low", principle="courtesy")
    team.login("aysel")
    card = page(team, "/operators/3317?date_from=2026-05-04&date_to=2026-05-04")
    assert "<dd data-sessions>3</dd>" in card and "<dd data-findings>1</dd>" in card
    assert 'data-principle="courtesy"' in card
    assert "the last 30 days are shown" in page(team, "/operators/3317?date_from=2026-05-05&date_to=2026-05-04", 422)
    assert 'data-total="0"' in page(team, "/samples")
