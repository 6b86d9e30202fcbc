"""The findings workflow through the API: the queue, verdicts by the state machine, replies, scope, audit, precision."""

from __future__ import annotations

from typing import Any

import pytest

from policies.finding_views import rule_precision
from review_app.audit.entries import AuditEntry, AuditFilter
from review_app.audit.log import AuditLog
from tests.review_app.conftest import ReviewApp
from tests.review_app.findings_support import add_accounts, add_finding, add_leg


@pytest.fixture
def team(web: ReviewApp, password_hash: str) -> ReviewApp:
    add_accounts(web, password_hash)
    return web


def trail(web: ReviewApp, action: str) -> list[AuditEntry]:
    with web.catalog.sessions() as session:
        return list(reversed(AuditLog(session).search(AuditFilter(action=action, limit=1000))))


def verdict(web: ReviewApp, csrf: str, finding: int, decision: str, comment: str = "seen it") -> Any:
    return web.client.post(f"/api/v1/findings/{finding}/verdicts", json={"verdict": decision, "comment": comment},
                           headers={"X-CSRF-Token": csrf})  # fmt: skip


def queue(web: ReviewApp, **params: str | int) -> tuple[int, list[int]]:
    answer = web.client.get("/api/v1/findings", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()["total"], [item["id"] for item in answer.json()["items"]]


def test_the_queue_puts_the_most_severe_first_then_the_oldest_within_the_users_scope(team: ReviewApp) -> None:
    low_old = add_finding(team.catalog, "A1", severity="low", minutes=0)
    high_new = add_finding(team.catalog, "A2", severity="high", minutes=30, rule="ghost_service")
    medium = add_finding(team.catalog, "A3", severity="medium", minutes=10)
    high_old = add_finding(team.catalog, "A4", severity="high", minutes=5, rule="ghost_service")
    elsewhere = add_finding(team.catalog, "G1", severity="high", center="ganja-1")
    linked = add_finding(team.catalog, "A5", severity="high", operator="op-7")  # aysel is linked to op-7
    idle = add_finding(team.catalog, "A6", severity="low", operator=None, minutes=1)

    team.login("aysel")
    assert queue(team) == (5, [high_old, high_new, medium, low_old, idle])
    assert queue(team, severity="high") == (2, [high_old, high_new])
    assert queue(team, rule="ghost_service", limit=1, offset=1) == (2, [high_new])
    assert queue(team, center="ganja-1") == (0, [])
    assert queue(team, status="pending") == queue(team, status="open") == (5, [high_old, high_new, medium, low_old,
                                                                                idle])  # fmt: skip
    csrf = team.login("aysel")
    assert verdict(team, csrf, medium, "confirmed").json()["status"] == "confirmed"
    assert verdict(team, csrf, high_old, "confirmed").json()["status"] == "awaiting_senior"
    assert queue(team, status="pending") == (4, [high_old, high_new, low_old, idle])
    assert queue(team, status="awaiting_senior") == (1, [high_old])
    assert queue(team, status="confirmed") == (1, [medium])
    team.login("kamran")  # an auditor reads every centre (and has no operator links)
    assert queue(team)[1] == [elsewhere, linked, high_old, high_new, medium, low_old, idle]
    searches = [e for e in trail(team, "search") if e.object_type == "findings"]
    assert searches[0].actor == "aysel" and searches[0].detail["results"] == 5
    assert team.client.get("/api/v1/findings", params={"status": "maybe"}).status_code == 422


def test_a_high_severity_verdict_is_final_only_after_another_senior_reviewer(team: ReviewApp) -> None:
    ghost = add_finding(team.catalog, "A1", severity="high", rule="ghost_service", principle="transparency")
    own = add_finding(team.catalog, "A2", severity="high", rule="ghost_service", principle="transparency")

    csrf = team.login("aysel")
    first = verdict(team, csrf, ghost, "confirmed", "nobody at the citizen's side")
    assert first.status_code == 201 and first.json() | {"verdict_id": 0} == {
        "finding_id": ghost, "verdict_id": 0, "status": "awaiting_senior", "final": False}  # fmt: skip
    again = verdict(team, csrf, ghost, "dismissed")
    assert again.status_code == 403 and "senior" in again.json()["detail"]

    csrf = team.login("nigar")
    assert verdict(team, csrf, own, "confirmed").json()["status"] == "awaiting_senior"
    assert verdict(team, csrf, own, "confirmed").status_code == 403  # not her own second review
    second = verdict(team, csrf, ghost, "dismissed", "the citizen sat out of frame: overruled")
    assert second.status_code == 201 and second.json()["status"] == "dismissed" and second.json()["final"]
    assert verdict(team, csrf, ghost, "confirmed").status_code == 409  # final stays final

    csrf = team.login("rashad")
    assert verdict(team, csrf, own, "confirmed").json() | {"verdict_id": 0} == {
        "finding_id": own, "verdict_id": 0, "status": "confirmed", "final": True}  # fmt: skip

    detail = team.client.get(f"/api/v1/findings/{ghost}").json()
    assert [(v["reviewer"], v["verdict"], v["status"]) for v in detail["verdicts"]] == [
        ("aysel", "confirmed", "awaiting_senior"), ("nigar", "dismissed", "dismissed")]  # fmt: skip
    assert detail["verdicts"][1]["comment"] == "the citizen sat out of frame: overruled"
    assert (detail["final"], detail["finding"]["status"], detail["finding"]["verdict"]) == (True, "dismissed",
                                                                                           "dismissed")  # fmt: skip
    assert detail["allowed_decisions"] == [] and not detail["may_reply"]
    with team.catalog.sessions() as session:
        [stats] = rule_precision(session)
    assert (stats.findings, stats.confirmed, stats.dismissed, stats.precision) == (2, 1, 1, 0.5)
    given = [(e.actor, e.object_id, e.detail["status"], e.detail["final"]) for e in trail(team, "verdict")]
    assert given == [("aysel", str(ghost), "awaiting_senior", False), ("nigar", str(own), "awaiting_senior", False),
                     ("nigar", str(ghost), "dismissed", True), ("rashad", str(own), "confirmed", True)]  # fmt: skip
    assert trail(team, "verdict")[0].reason == "nobody at the citizen's side"


def test_escalation_goes_to_a_senior_and_precision_counts_only_final_verdicts(team: ReviewApp) -> None:
    escalated = add_finding(team.catalog, "A1", severity="medium")
    waiting = add_finding(team.catalog, "A2", severity="high", rule="ghost_service")
    quick = add_finding(team.catalog, "A3", severity="low")

    csrf = team.login("aysel")
    assert verdict(team, csrf, escalated, "escalate", "a relative of the citizen?").json()["status"] == "escalated"
    assert verdict(team, csrf, escalated, "confirmed").status_code == 403
    assert verdict(team, csrf, waiting, "confirmed").json()["status"] == "awaiting_senior"
    assert verdict(team, csrf, quick, "dismissed").json()["final"]
    with team.catalog.sessions() as session:
        stats = {row.rule_id: row for row in rule_precision(session)}
    assert (stats["ghost_service"].confirmed, stats["ghost_service"].precision) == (0, None)  # not decided yet
    assert (stats["operator_absent"].findings, stats["operator_absent"].dismissed) == (2, 1)
    assert stats["operator_absent"].precision == 0.0

    csrf = team.login("nigar")
    detail = team.client.get(f"/api/v1/findings/{escalated}").json()
    assert detail["allowed_decisions"] == ["confirmed", "dismissed"] and "escalated" in detail["next_step"]
    assert verdict(team, csrf, escalated, "escalate").status_code == 409
    assert verdict(team, csrf, escalated, "confirmed").json()["final"]
    assert verdict(team, csrf, waiting, "confirmed").json()["final"]
    with team.catalog.sessions() as session:
        stats = {row.rule_id: row for row in rule_precision(session)}
    assert (stats["ghost_service"].confirmed, stats["ghost_service"].precision) == (1, 1.0)
    assert (stats["operator_absent"].confirmed, stats["operator_absent"].precision) == (1, 0.5)


def test_the_operators_reply_is_attached_on_their_behalf_until_the_verdict_is_final(team: ReviewApp) -> None:
    finding = add_finding(team.catalog, "A1", severity="medium", operator="3317")
    text = {"text": "I was fetching the citizen's archived file."}
    csrf = team.login("kamran")
    refused = team.client.post(f"/api/v1/findings/{finding}/replies", json=text, headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 403  # auditors read only
    csrf = team.login("leyla")
    assert team.client.post(f"/api/v1/findings/{finding}/replies", json=text,
                            headers={"X-CSRF-Token": csrf}).status_code == 403  # fmt: skip
    csrf = team.login("aysel")
    assert team.client.post(f"/api/v1/findings/{finding}/replies", json=text).status_code == 403  # no CSRF token
    reply = team.client.post(f"/api/v1/findings/{finding}/replies", json=text, headers={"X-CSRF-Token": csrf})
    assert reply.status_code == 201
    assert reply.json() | {"id": 0, "attached_at": ""} == {"id": 0, "operator": "3317", "text": text["text"],
                                                           "attached_by": "aysel", "attached_at": ""}  # fmt: skip
    assert verdict(team, csrf, finding, "dismissed", "the reply explains it").json()["final"]
    closed = team.client.post(f"/api/v1/findings/{finding}/replies", json=text, headers={"X-CSRF-Token": csrf})
    assert closed.status_code == 409 and "final" in closed.json()["detail"]
    detail = team.client.get(f"/api/v1/findings/{finding}").json()
    assert [(r["operator"], r["attached_by"]) for r in detail["replies"]] == [("3317", "aysel")]
    [attached, _] = trail(team, "verdict")
    assert (attached.actor, attached.detail["operator"], attached.reason) == (
        "aysel", "3317", "operator reply attached on the operator's behalf")  # fmt: skip
    empty = team.client.post(f"/api/v1/findings/{finding}/verdicts", json={"verdict": "confirmed", "comment": ""},
                             headers={"X-CSRF-Token": csrf})  # fmt: skip
    assert empty.status_code == 422  # a verdict says why


def test_the_detail_links_the_evidence_to_the_player_with_the_finding_as_the_reason(team: ReviewApp) -> None:
    with team.catalog.sessions() as session, session.begin():
        visit = add_leg(session, "A1", "3317")
    finding = add_finding(team.catalog, "A1")
    team.login("kamran")
    detail = team.client.get(f"/api/v1/findings/{finding}").json()
    player = f"/sessions/{visit}/legs/0/player?reason=finding+%23{finding}"
    assert (detail["session_id"], detail["player_url"]) == (visit, player)
    assert [e["player_url"] for e in detail["evidence"]] == [player]
    assert detail["finding"]["explanation"] == "operator_absent on A1"
    assert detail["allowed_decisions"] == [] and not detail["may_reply"]  # an auditor reads
    views = [e for e in trail(team, "session_view") if e.object_type == "finding"]
    assert [(e.actor, e.object_id) for e in views] == [("kamran", str(finding))]


def test_every_finding_route_answers_out_of_scope_exactly_like_missing_and_audits_it(team: ReviewApp) -> None:
    elsewhere = add_finding(team.catalog, "G1", center="ganja-1")
    linked = add_finding(team.catalog, "A5", operator="op-7")
    csrf = team.login("aysel")
    body = {"verdict": "confirmed", "comment": "x"}
    for hidden in (elsewhere, linked):
        for method, path, payload in [("GET", "", None), ("POST", "/verdicts", body),
                                      ("POST", "/replies", {"text": "x"})]:  # fmt: skip
            answers = [team.client.request(method, f"/api/v1/findings/{finding}{path}", json=payload,
                                           headers={"X-CSRF-Token": csrf}) for finding in (hidden, 999999)]  # fmt: skip
            assert [a.status_code for a in answers] == [404, 404], (hidden, path)
            shown, missing = (a.json()["detail"] for a in answers)
            assert shown.replace(str(hidden), "N") == missing.replace("999999", "N")
    denied = [(e.actor, e.object_type, e.object_id) for e in trail(team, "access_denied")]
    assert denied == [("aysel", "finding", str(elsewhere))] * 3 + [("aysel", "finding", str(linked))] * 3
    assert trail(team, "verdict") == []
