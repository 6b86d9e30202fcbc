"""The handler's pages: intake form → proposals with the exact match ticked → case page with its holds → close;
a form at fault says which field; the nav offers cases to handlers only; hidden cases are the 404 page."""

from __future__ import annotations

import re

from tests.cases.conftest import FOOTAGE
from tests.review_app.conftest import ReviewApp
from tests.review_app.pages_support import BROWSER, text_of
from tests.review_app.test_login_pages import log_in

FORM = {"reference": "C-17", "received_on": "2026-05-06", "channel": "phone", "center": "baku-1", "window": "7",
        "service_date": "2026-05-04", "time_from": "10:00", "time_to": "10:30", "ticket": "", "application_id": "",
        "description": "the officer asked me for money"}  # fmt: skip
HELD = sum(1 for _, _, held in FOOTAGE.values() if held)


def csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_intake_proposals_case_and_close_in_the_browser(web: ReviewApp, visits: dict[str, int]) -> None:
    log_in(web, "leyla")
    form = web.client.get("/complaints/new", headers=BROWSER).text
    assert '<a href="/cases" aria-current="page">Cases</a>' in form
    token = csrf(form)
    bad = web.client.post("/complaints", data={**FORM, "time_to": "", "csrf_token": token}, headers=BROWSER)
    assert bad.status_code == 422 and "time_to: give both time_from and time_to, or neither" in text_of(bad.text)
    made = web.client.post("/complaints", data={**FORM, "csrf_token": token}, headers=BROWSER, follow_redirects=False)
    assert made.status_code == 303, made.text
    proposals = web.client.get(made.headers["location"], headers=BROWSER).text
    rows = dict(re.findall(r'<tr data-proposal="(\d+)">(.*?)</tr>', proposals, re.S))
    assert set(rows) == {str(visits["A042"]), str(visits["B001"])}  # no ticket given: window and time lead
    assert "the stated window, within 10:00-10:30" in text_of(rows[str(visits["A042"])])
    assert "checked" not in rows[str(visits["A042"])]  # nothing exact: the handler decides
    complaint_id = int(made.headers["location"].rsplit("/", 1)[1])
    none = web.client.post("/cases", data={"complaint_id": complaint_id, "csrf_token": token}, headers=BROWSER)
    assert none.status_code == 422 and "visit_id: tick at least one session" in none.text
    opened = web.client.post("/cases", data={"complaint_id": complaint_id, "visit_id": visits["A042"],
                                             "csrf_token": token}, headers=BROWSER, follow_redirects=False)  # fmt: skip
    assert opened.status_code == 303
    case = web.client.get(opened.headers["location"], headers=BROWSER).text
    assert f'data-holds="{HELD}"' in case and f'href="/sessions/{visits["A042"]}"' in case
    case_path = opened.headers["location"]
    closed = web.client.post(f"{case_path}/close", data={"outcome": "withdrawn", "reason": "complainant withdrew",
                                                         "csrf_token": token}, headers=BROWSER)  # fmt: skip
    assert closed.status_code == 200 and 'data-case-status="closed"' in closed.text
    assert 'data-holds="0"' in closed.text and "data-close-form" not in closed.text
    listing = web.client.get("/cases", headers=BROWSER).text
    assert "complainant withdrew" not in listing and "withdrawn" in text_of(listing)


def test_cases_are_for_handlers_and_a_hidden_case_is_the_missing_page(web: ReviewApp, visits: dict[str, int]) -> None:
    log_in(web, "leyla")
    token = csrf(web.client.get("/complaints/new", headers=BROWSER).text)
    made = web.client.post("/complaints", data={**FORM, "ticket": "A042", "csrf_token": token}, headers=BROWSER,
                           follow_redirects=False)  # fmt: skip
    complaint_id = int(made.headers["location"].rsplit("/", 1)[1])
    proposals = web.client.get(made.headers["location"], headers=BROWSER).text
    assert re.search(rf'value="{visits["A042"]}"[^>]*checked', proposals)  # the exact match comes ticked
    opened = web.client.post("/cases", data={"complaint_id": complaint_id, "visit_id": visits["A042"],
                                             "csrf_token": token}, headers=BROWSER, follow_redirects=False)  # fmt: skip
    case_path = opened.headers["location"]
    log_in(web, "farid")
    hidden, missing = web.client.get(case_path, headers=BROWSER), web.client.get("/cases/999999", headers=BROWSER)
    assert hidden.status_code == missing.status_code == 404 and hidden.text == missing.text
    log_in(web, "aysel")
    search = web.client.get("/search", headers=BROWSER).text
    assert 'href="/cases"' not in search
    assert web.client.get("/cases", headers=BROWSER).status_code == 403
