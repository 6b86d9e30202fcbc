"""The cases API: intake → proposals → case with holds on exactly the right segments → notes, review, close
(releasing the holds with the reason, audited); scope answers like missing and is audited; roles; CSRF."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from review_app.audit.entries import AuditFilter
from review_app.audit.log import AuditLog
from seffaf.catalog.case_tables import HoldRow
from tests.cases.conftest import FOOTAGE
from tests.review_app.conftest import ReviewApp

A042_COMPLAINT = {"reference": "C-17", "received_on": "2026-05-06", "channel": "phone", "center": "baku-1",
                  "window": 7, "service_date": "2026-05-04", "time_from": "10:00", "time_to": "10:30",
                  "ticket": "A042", "description": "the officer asked me for money"}  # fmt: skip
HELD = {f"segments/baku-1-w07/extra_{seq:06d}.mp4" for seq, (_, _, held) in FOOTAGE.items() if held}


def post(web: ReviewApp, token: str, path: str, body: dict[str, Any] | None = None) -> Any:
    return web.client.post(path, json=body or {}, headers={"X-CSRF-Token": token})


def open_a042_case(web: ReviewApp, token: str) -> dict[str, Any]:
    complaint = post(web, token, "/api/v1/complaints", A042_COMPLAINT)
    assert complaint.status_code == 201, complaint.text
    proposals = web.client.get(f"/api/v1/complaints/{complaint.json()['id']}/proposals").json()["proposals"]
    chosen = [p["visit_id"] for p in proposals if p["exact"]]
    case = post(web, token, "/api/v1/cases", {"complaint_id": complaint.json()["id"], "visit_ids": chosen})
    assert case.status_code == 201, case.text
    detail: dict[str, Any] = case.json()
    return detail


def held_keys(web: ReviewApp, case_id: int, released: bool = False) -> set[str]:
    with web.catalog.sessions() as session:
        query = select(HoldRow.segment_key).where(HoldRow.case_id == case_id)
        query = query.where(HoldRow.released_at.is_not(None) if released else HoldRow.released_at.is_(None))
        return set(session.scalars(query))


def trail(web: ReviewApp, action: str) -> list[tuple[str | None, str | None, str | None, str | None]]:
    with web.catalog.sessions() as session:
        found = AuditLog(session).search(AuditFilter(action=action))
    return [(e.actor, e.object_type, e.object_id, e.reason) for e in reversed(found)]


def test_a_complaint_becomes_a_case_whose_holds_closing_releases(web: ReviewApp, visits: dict[str, int]) -> None:
    token = web.login("leyla")
    complaint = post(web, token, "/api/v1/complaints", A042_COMPLAINT).json()
    assert (complaint["service_date"], complaint["approx_from"]) == ("2026-05-04", "2026-05-04T06:00:00Z")
    found = web.client.get(f"/api/v1/complaints/{complaint['id']}/proposals").json()["proposals"]
    assert [(p["ticket"], p["exact"], p["why"]) for p in found] == [
        ("A042", True, ["ticket A042 at baku-1 on 2026-05-04",
                        "leg 1 at window 7, 10:02-10:09: the stated window, within 10:00-10:30"]),
        ("B001", False, ["leg 1 at window 7, 11:01-11:05: the stated window that day"]),
    ]  # fmt: skip
    case = post(web, token, "/api/v1/cases", {"complaint_id": complaint["id"], "visit_ids": [visits["A042"]]})
    assert case.status_code == 201, case.text
    detail = case.json()
    assert detail["status"] == "open" and detail["complaint"]["case_id"] == detail["id"]
    assert [(s["ticket"], s["visit_id"], s["windows"]) for s in detail["sessions"]] == [
        ("A042", visits["A042"], [7, 12])
    ]
    assert detail["holds"]["active"] == len(HELD) and held_keys(web, detail["id"]) == HELD
    case_id = detail["id"]
    assert post(web, token, f"/api/v1/cases/{case_id}/notes", {"text": "called back"}).status_code == 201
    assert post(web, token, f"/api/v1/cases/{case_id}/review").json() == {"id": case_id, "status": "under_review"}
    listed = web.client.get("/api/v1/cases", params={"status": "under_review"}).json()
    assert (listed["total"], listed["items"][0]["active_holds"]) == (1, len(HELD))
    closed = post(web, token, f"/api/v1/cases/{case_id}/close",
                  {"outcome": "unsubstantiated", "reason": "no payment on the footage"})  # fmt: skip
    assert closed.json()["holds_released"] == len(HELD)
    assert held_keys(web, case_id) == set() and held_keys(web, case_id, released=True) == HELD
    again = post(web, token, f"/api/v1/cases/{case_id}/close", {"outcome": "withdrawn", "reason": "again"})
    assert again.status_code == 409 and "closed cases are not reopened" in again.json()["detail"]
    assert trail(web, "hold_change") == [("leyla", "case", str(case_id), "case opened"),
                                         ("leyla", "case", str(case_id), "no payment on the footage")]  # fmt: skip
    reasons = [reason for actor, kind, _, reason in trail(web, "case_change") if actor == "leyla"]
    assert reasons == ["complaint recorded", "case opened", "note added", "review started", "no payment on the footage"]


def test_a_case_outside_the_handlers_scope_answers_like_a_missing_one_and_is_audited(
    web: ReviewApp, visits: dict[str, int]
) -> None:
    case_id = open_a042_case(web, web.login("leyla"))["id"]
    for outsider in ("farid", "elvin"):  # another centre; linked to operator 3317 who served A042
        token = web.login(outsider)
        hidden, missing = web.client.get(f"/api/v1/cases/{case_id}"), web.client.get("/api/v1/cases/999999")
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json() == {"detail": f"case {case_id} not found"}
        close = post(web, token, f"/api/v1/cases/{case_id}/close", {"outcome": "withdrawn", "reason": "x"})
        assert close.status_code == 404
        assert web.client.get("/api/v1/cases").json()["total"] == 0
    assert held_keys(web, case_id) == HELD
    denied = [(actor, kind, oid) for actor, kind, oid, _ in trail(web, "access_denied")]
    assert denied == [(who, "case", str(case_id)) for who in ("farid", "farid", "elvin", "elvin")]
    token = web.login("farid")
    proposals = web.client.get("/api/v1/complaints/1/proposals")
    assert proposals.status_code == 404
    elsewhere = post(web, token, "/api/v1/complaints", {**A042_COMPLAINT, "reference": "C-18"})
    unknown = post(web, token, "/api/v1/complaints", {**A042_COMPLAINT, "reference": "C-18", "center": "nowhere"})
    assert elsewhere.status_code == unknown.status_code == 422
    assert elsewhere.json()["detail"].replace("baku-1", "nowhere") == unknown.json()["detail"]
    elvin = web.login("elvin")
    refused = post(web, elvin, "/api/v1/cases", {"complaint_id": 1, "visit_ids": [visits["A042"]]})
    assert refused.status_code == 404 and refused.json() == {"detail": f"visit_ids: no session {visits['A042']}"}


def test_only_complaint_handlers_and_admins_handle_cases_and_changes_need_the_csrf_token(
    web: ReviewApp, visits: dict[str, int]
) -> None:
    token = web.login("aysel")  # a reviewer at baku-1
    for path, body in (("/api/v1/complaints", A042_COMPLAINT), ("/api/v1/cases", {"complaint_id": 1,
                                                                                  "visit_ids": [1]})):  # fmt: skip
        refused = post(web, token, path, body)
        assert refused.status_code == 403 and "complaint_handler" in refused.json()["detail"]
    assert web.client.get("/api/v1/cases").status_code == 403
    assert [actor for actor, *_ in trail(web, "access_denied")] == ["aysel"] * 3
    web.login("leyla")
    no_token = web.client.post("/api/v1/complaints", json=A042_COMPLAINT)
    assert no_token.status_code == 403 and "CSRF" in no_token.json()["detail"]
    admin = web.login("admin")
    assert open_a042_case(web, admin)["opened_by"] == "admin"


def test_intake_names_the_field_at_fault(web: ReviewApp, visits: dict[str, int]) -> None:
    token = web.login("leyla")
    no_day = post(web, token, "/api/v1/complaints", {**A042_COMPLAINT, "service_date": None})
    assert no_day.status_code == 422 and "service_date: needed with a ticket" in str(no_day.json()["detail"])
    twice = [post(web, token, "/api/v1/complaints", A042_COMPLAINT).status_code for _ in range(2)]
    assert twice == [201, 409]
    empty = post(web, token, "/api/v1/cases", {"complaint_id": 1, "visit_ids": []})
    assert empty.status_code == 422 and empty.json()["detail"][0]["loc"] == ["body", "visit_ids"]
