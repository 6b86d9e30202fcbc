"""Searching and reading sessions through the API: filters, paging totals, scope, and every look audited."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from ingest.archive import EventArchive
from ingest.parsing import parse_payload
from ingest.service import IngestService
from review_app.audit.log import AuditLog
from seffaf.catalog.finding_tables import FindingRow, VerdictRow
from seffaf.catalog.session_tables import VisitRow
from seffaf.storage.local import LocalObjectStore
from tests.review_app.conftest import ReviewApp
from tests.support.queue import a042_visit, event

SERVED_BY_LINKED_OPERATOR = [
    event(20, "ticket_issued", "11:00:00", ticket="B001", service="passport", priority=0),
    event(21, "ticket_called", "11:01:00", ticket="B001", window=7),
    event(22, "service_started", "11:01:20", ticket="B001", window=7, operator="op-7"),
    event(23, "service_completed", "11:05:00", ticket="B001", window=7),
]


@pytest.fixture
def visits(web: ReviewApp, tmp_path: Path) -> dict[str, int]:
    events = [*a042_visit(), *SERVED_BY_LINKED_OPERATOR]
    rows = [parse_payload(e, f"test:{i}", json.dumps(e), None) for i, e in enumerate(events)]
    archive = EventArchive(LocalObjectStore(tmp_path / "objects"))
    IngestService(web.catalog.sessions, archive, web.clock).ingest_rows(rows)
    with web.catalog.sessions() as session:
        return {ticket: visit_id for visit_id, ticket in session.execute(select(VisitRow.id, VisitRow.ticket))}


def tickets(web: ReviewApp, **params: str | int | bool) -> tuple[int, list[str]]:
    response = web.client.get("/api/v1/sessions", params=params)
    assert response.status_code == 200, response.text
    page = response.json()
    return page["total"], [item["ticket"] for item in page["items"]]


def test_a_reviewer_finds_only_sessions_in_scope_and_totals_count_only_those(
    web: ReviewApp, visits: dict[str, int]
) -> None:
    web.login("admin")
    assert tickets(web) == (2, ["A042", "B001"])
    assert tickets(web, ticket="B001") == (1, ["B001"])
    assert tickets(web, application="APP-2") == (1, ["A042"])
    assert tickets(web, window=12) == (1, ["A042"])
    assert tickets(web, operator="op-7", date_from="2026-05-04", date_to="2026-05-04") == (1, ["B001"])
    assert tickets(web, date_from="2026-05-05") == (0, [])
    assert tickets(web, limit=1, offset=1) == (2, ["B001"])
    assert tickets(web, limit=1, offset=5) == (2, [])  # a page past the end still knows the total
    web.client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": web.login("admin")})
    web.login("aysel")  # reviewer at baku-1, linked to operator op-7: B001 is a conflict of interest
    assert tickets(web) == (1, ["A042"])
    assert tickets(web, ticket="B001") == (0, [])


def test_a_session_outside_scope_answers_exactly_like_a_missing_one_and_is_audited(
    web: ReviewApp, visits: dict[str, int]
) -> None:
    web.login("aysel")
    hidden = web.client.get(f"/api/v1/sessions/{visits['B001']}")
    missing = web.client.get("/api/v1/sessions/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"].replace(str(visits["B001"]), "N") == missing.json()["detail"].replace("999999", "N")
    shown = web.client.get(f"/api/v1/sessions/{visits['A042']}")
    assert shown.status_code == 200
    body = shown.json()
    assert body["session"]["ticket"] == "A042" and [leg["window"] for leg in body["session"]["legs"]] == [7, 12]
    with web.catalog.sessions() as session:
        trail = [(e.action, e.actor, e.object_id, e.outcome) for e in AuditLog(session).all_entries()]
    assert ("access_denied", "aysel", str(visits["B001"]), "denied") in trail
    assert ("session_view", "aysel", str(visits["A042"]), "ok") in trail
    assert ("session_view", "aysel", str(visits["B001"]), "ok") not in trail


def test_finding_and_coverage_filters(web: ReviewApp, visits: dict[str, int]) -> None:
    now = datetime(2026, 5, 4, 7, 0, tzinfo=UTC)
    with web.catalog.sessions() as session, session.begin():
        finding = FindingRow(
            subject="leg:baku-1/2026-05-04/A042/0", rule_id="operator_absent", ruleset="asan-default",
            ruleset_version="1.0", principle="responsibility", severity="medium", title="Operator away",
            center="baku-1", service_date=date(2026, 5, 4), window=7, operator="3317", ticket="A042", leg_index=0,
            visit_id=visits["A042"], start=now, end=now, evidence=[], facts={}, explanation="operator absent 200 s",
            evaluated_at=now,
        )  # fmt: skip
        session.add(finding)
    web.login("admin")
    assert tickets(web, finding_rule="operator_absent") == (1, ["A042"])
    assert tickets(web, finding_rule="raised_voice") == (0, [])
    assert tickets(web, finding_severity="medium", finding_status="open") == (1, ["A042"])
    assert tickets(web, finding_status="confirmed") == (0, [])
    with web.catalog.sessions() as session, session.begin():
        session.add(VerdictRow(finding_id=finding.id, verdict="confirmed", status="confirmed", reviewer="aysel",
                               note="", decided_at=now))  # fmt: skip
    assert tickets(web, finding_status="confirmed") == (1, ["A042"])
    assert tickets(web, finding_status="open") == (0, [])
    assert tickets(web, coverage_below_full=True) == (2, ["A042", "B001"])  # no footage linked at all
    detail = web.client.get(f"/api/v1/sessions/{visits['A042']}").json()
    assert [(f["rule_id"], f["status"]) for f in detail["findings"]] == [("operator_absent", "confirmed")]
    assert web.client.get(f"/api/v1/sessions/{visits['B001']}").json()["findings"] == []


def test_bad_filters_name_the_field_and_strangers_are_refused(web: ReviewApp, visits: dict[str, int]) -> None:
    assert web.client.get("/api/v1/sessions").status_code == 401
    web.login("admin")
    bad = web.client.get("/api/v1/sessions", params={"window": 0})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "window"
    bad_date = web.client.get("/api/v1/sessions", params={"date_from": "04/05/2026"})
    assert bad_date.status_code == 422 and bad_date.json()["detail"][0]["loc"][-1] == "date_from"
