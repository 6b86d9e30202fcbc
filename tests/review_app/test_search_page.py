"""The search page: every filter, pages of 50 with the total, the user's scope, field errors, audited."""

from __future__ import annotations

import re
from pathlib import Path

from review_app.audit.entries import AuditFilter
from review_app.audit.log import AuditLog
from tests.review_app.conftest import ReviewApp
from tests.review_app.pages_support import (
    BROWSER,
    add_finding,
    baku,
    ingest,
    many_tickets,
    result_tickets,
    result_total,
    text_of,
    two_visits,
)
from tests.review_app.test_login_pages import log_in


def search(web: ReviewApp, **params: str | int) -> tuple[int, list[str]]:
    response = web.client.get("/search", params=params, headers=BROWSER)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    return result_total(response.text), result_tickets(response.text)


def test_every_filter_of_the_form(web: ReviewApp, tmp_path: Path) -> None:
    two_visits(web, tmp_path)
    add_finding(web, "A042", 0, baku("10:03:00"), severity="high")
    log_in(web, "admin")
    assert search(web) == (2, ["A042", "B001"])
    assert search(web, ticket="B001") == (1, ["B001"])
    assert search(web, application="APP-2") == (1, ["A042"])
    assert search(web, window=12) == (1, ["A042"])
    assert search(web, operator="op-7") == (1, ["B001"])
    assert search(web, center="baku-1", service="passport") == (2, ["A042", "B001"])
    assert search(web, date_from="2026-05-04", date_to="2026-05-04") == (2, ["A042", "B001"])
    assert search(web, date_from="2026-05-05") == (0, [])
    assert search(web, finding_rule="operator_absent") == (1, ["A042"])
    assert search(web, finding_severity="high", finding_status="open") == (1, ["A042"])
    assert search(web, finding_severity="low") == (0, [])
    assert search(web, coverage_below_full="on") == (2, ["A042", "B001"])  # no footage linked at all
    assert search(web, ticket="  ", window="", finding_status="") == (2, ["A042", "B001"])  # blank means any


def test_a_result_row_shows_the_session_at_a_glance(web: ReviewApp, tmp_path: Path) -> None:
    visits = two_visits(web, tmp_path)
    add_finding(web, "A042", 0, baku("10:03:00"))
    add_finding(web, "A042", 1, baku("10:12:00"), rule="raised_voice")
    log_in(web, "admin")
    page = web.client.get("/search", params={"ticket": "A042"}, headers=BROWSER).text
    row = re.search(rf'<tr data-visit="{visits["A042"]}">(.*?)</tr>', page, re.S)
    assert row is not None
    assert text_of(row.group(1)) == (
        "2026-05-04 10:00:00 Baku ASAN 1 A042 passport 7 (3317) → 12 (4410) completed not linked 2 Open"
    )
    assert f'href="/sessions/{visits["A042"]}"' in row.group(1)


def test_results_come_in_pages_of_50_with_the_total_and_the_filters_kept(web: ReviewApp, tmp_path: Path) -> None:
    ingest(web, tmp_path, many_tickets(55))
    log_in(web, "admin")
    first = web.client.get("/search", params={"service": "tax"}, headers=BROWSER).text
    assert result_total(first) == 55 and len(result_tickets(first)) == 50
    assert result_tickets(first)[:2] == ["C000", "C001"] and "showing 1 to 50" in first and "page 1 of 2" in first
    assert 'href="/search?service=tax&amp;page=2" rel="next"' in first and 'rel="prev"' not in first
    second = web.client.get("/search", params={"service": "tax", "page": 2}, headers=BROWSER).text
    assert result_total(second) == 55 and result_tickets(second) == ["C050", "C051", "C052", "C053", "C054"]
    assert "showing 51 to 55" in second and 'href="/search?service=tax&amp;page=1" rel="prev"' in second
    beyond = web.client.get("/search", params={"service": "tax", "page": 9}, headers=BROWSER).text
    assert result_total(beyond) == 55 and result_tickets(beyond) == [] and "No session matches on this page" in beyond


def test_a_reviewer_finds_only_what_is_in_scope_and_the_total_counts_only_that(web: ReviewApp, tmp_path: Path) -> None:
    two_visits(web, tmp_path)
    log_in(web, "aysel")  # reviewer at baku-1, linked to op-7, who served B001
    assert search(web) == (1, ["A042"])
    assert search(web, ticket="B001") == (0, [])
    assert search(web, operator="op-7") == (0, [])


def test_bad_input_shows_the_form_again_naming_each_field_and_searches_nothing(web: ReviewApp, tmp_path: Path) -> None:
    two_visits(web, tmp_path)
    log_in(web, "admin")
    for params, named in [
        ({"window": "0"}, "Window</a>: input should be greater than or equal to 1"),
        ({"window": "seven"}, "Window</a>: input should be a valid integer"),
        ({"date_from": "04/05/2026"}, "From date</a>: a date as YYYY-MM-DD"),
        ({"date_from": "2026-05-05", "date_to": "2026-05-01"}, "To date</a>: before the from date"),
        ({"finding_status": "maybe"}, "Finding status</a>: input should be &#39;open&#39;"),
        ({"page": "last"}, "Page</a>: input should be a valid integer"),
    ]:
        response = web.client.get("/search", params={"ticket": "A042", **params}, headers=BROWSER)
        assert response.status_code == 422, params
        assert named in response.text, (params, response.text)
        assert 'value="A042"' in response.text and "data-results" not in response.text
    kept = web.client.get("/search", params={"window": "0"}, headers=BROWSER).text
    assert re.search(r'name="window" type="number" size="5" value="0" aria-invalid="true"', kept)
    with web.catalog.sessions() as session:
        assert AuditLog(session).search(AuditFilter(action="search")) == []  # nothing was searched


def test_each_search_is_audited_with_what_was_asked(web: ReviewApp, tmp_path: Path) -> None:
    two_visits(web, tmp_path)
    log_in(web, "aysel")
    search(web, ticket="A042", window=7, coverage_below_full="on")
    with web.catalog.sessions() as session:
        [entry] = AuditLog(session).search(AuditFilter(action="search"))
    assert entry.actor == "aysel"
    assert entry.detail == {"ticket": "A042", "window": 7, "coverage_below_full": True, "limit": 50, "results": 1}
