"""Random samples drawn by `seffaf samples draw` into the reviewers' queue, reviewed once; operators' scorecards."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from policies.sampling import Candidate, draw
from policies.subjects import leg_key
from review_app.audit.entries import AuditFilter
from review_app.audit.log import AuditLog
from seffaf.catalog.review_tables import SampleRow
from seffaf.cli.main import app
from tests.review_app.conftest import ReviewApp
from tests.review_app.findings_support import DAY, add_accounts, add_finding, add_leg, add_verdict

SEED = "the centre's secret sample seed"
NEXT_DAY = DAY + timedelta(days=1)
# (centre, operator, day, tickets): operator 3317 served 12 legs on DAY and 2 the day after.
SERVED = [("baku-1", "3317", DAY, 12), ("baku-1", "3317", NEXT_DAY, 2), ("baku-1", "op-7", DAY, 3),
          ("ganja-1", "op-9", DAY, 4)]  # fmt: skip


@pytest.fixture
def served(web: ReviewApp, password_hash: str) -> ReviewApp:
    add_accounts(web, password_hash)
    with web.catalog.sessions() as session, session.begin():
        for center, operator, day, count in SERVED:
            for n in range(count):
                add_leg(session, f"{operator}-{n:02d}", operator, center=center, day=day, minutes=n * 5)
        add_leg(session, "3317-ns", "3317", outcome="no_show", minutes=90)  # nobody came: not a session to audit
    return web


def samples_cli(web: ReviewApp, *args: str, seed: str | None = SEED) -> Any:
    env = {"SEFFAF_DATABASE_URL": str(web.catalog.engine.url.render_as_string(hide_password=False))}
    if seed is not None:
        env["SEFFAF_REVIEW__SAMPLE_SEED"] = seed
    return CliRunner().invoke(app, ["samples", "draw", "--since", "2026-05-04T00:00:00+04:00",
                                    "--until", "2026-05-06T00:00:00+04:00", *args], env=env)  # fmt: skip


def expected_sample(rate: float) -> set[str]:
    legs = [Candidate(leg_key(center, day, f"{operator}-{n:02d}", 0), operator)
            for center, operator, day, count in SERVED for n in range(count)]  # fmt: skip
    return {c.subject for c in draw(legs, SEED.encode(), rate, min_per_operator=1)}


def test_samples_are_drawn_reproducibly_and_reviewed_once_within_scope(served: ReviewApp) -> None:
    refused = samples_cli(served, seed=None)
    assert refused.exit_code == 2 and "review.sample_seed" in refused.output
    drawn = samples_cli(served, "--rate", "0.25", "--json")
    assert drawn.exit_code == 0, drawn.output
    report = json.loads(drawn.stdout)
    wanted = expected_sample(0.25)
    assert report == {"legs": 21, "operators": 3, "rate": 0.25, "drawn": len(wanted), "new": len(wanted)}
    assert json.loads(samples_cli(served, "--rate", "0.25", "--json").stdout)["new"] == 0  # same seed, same legs
    with served.catalog.sessions() as session:
        rows = list(session.scalars(select(SampleRow)))
    assert {row.subject for row in rows} == wanted
    assert {row.operator for row in rows} == {"3317", "op-7", "op-9"}  # every operator gets at least one

    csrf = served.login("aysel")  # baku-1, linked to op-7: sees 3317's samples only
    mine = sorted((row for row in rows if row.operator == "3317"), key=lambda row: row.leg_start)
    page = served.client.get("/api/v1/samples").json()
    assert page["total"] == len(mine) and [s["ticket"] for s in page["items"]] == [row.ticket for row in mine]
    first = page["items"][0]
    reason = f"reason=sampled+session+%23{first['id']}"
    assert first["player_url"] == f"/sessions/{first['session_id']}/legs/0/player?{reason}"
    review = {"outcome": "no_issue", "note": "courteous, quick"}
    url = f"/api/v1/samples/{first['id']}/review"
    done = served.client.post(url, json=review, headers={"X-CSRF-Token": csrf})
    assert done.status_code == 200 and (done.json()["reviewed_by"], done.json()["review_outcome"]) == (
        "aysel",
        "no_issue",
    )
    assert served.client.post(url, json=review, headers={"X-CSRF-Token": csrf}).status_code == 409
    assert served.client.get("/api/v1/samples", params={"reviewed": True}).json()["total"] == 1
    assert served.client.get("/api/v1/samples").json()["items"][-1]["id"] == first["id"]  # reviewed ones go last

    hidden = [row.id for row in rows if row.operator != "3317"][:2]
    for sample in hidden:
        answers = [
            served.client.get(f"/api/v1/samples/{sample}"),
            served.client.get("/api/v1/samples/999999"),
            served.client.post(f"/api/v1/samples/{sample}/review", json=review, headers={"X-CSRF-Token": csrf}),
            served.client.post("/api/v1/samples/999999/review", json=review, headers={"X-CSRF-Token": csrf}),
        ]
        assert [a.status_code for a in answers] == [404] * 4
        assert answers[0].json()["detail"].replace(str(sample), "N") == answers[1].json()["detail"].replace(
            "999999", "N")  # fmt: skip
    csrf = served.login("kamran")
    assert served.client.post(url, json=review, headers={"X-CSRF-Token": csrf}).status_code == 403  # auditors read
    with served.catalog.sessions() as session:
        audit = AuditLog(session)
        denied = [(e.object_type, e.object_id) for e in audit.search(AuditFilter(action="access_denied"))]
        reviewed = [(e.actor, e.object_type, e.object_id) for e in audit.search(AuditFilter(action="verdict"))]
    assert sorted(denied[1:]) == sorted([("sample", str(s)) for s in hidden for _ in (1, 2)])
    assert reviewed == [("aysel", "sample", str(first["id"]))]


def test_the_scorecard_counts_sessions_findings_per_principle_confirmed_rate_and_samples(served: ReviewApp) -> None:
    confirmed = add_finding(served.catalog, "3317-00", severity="medium")
    dismissed = add_finding(served.catalog, "3317-01", severity="low")
    waiting = add_finding(served.catalog, "3317-02", severity="high", rule="ghost_service", principle="transparency")
    ghost = add_finding(served.catalog, "3317-03", severity="high", rule="ghost_service", principle="transparency")
    add_finding(served.catalog, "3317-04", severity="low", rule="raised_voice", principle="courtesy")  # open
    add_finding(served.catalog, "3317-10", day=NEXT_DAY)  # outside the period
    add_finding(served.catalog, "op-9-00", center="ganja-1", operator="op-9")
    add_verdict(served.catalog, confirmed, "confirmed", "confirmed")
    add_verdict(served.catalog, dismissed, "dismissed", "dismissed")
    add_verdict(served.catalog, waiting, "confirmed", "awaiting_senior")  # not decided yet
    add_verdict(served.catalog, ghost, "confirmed", "awaiting_senior")
    add_verdict(served.catalog, ghost, "confirmed", "confirmed", reviewer="nigar")
    assert samples_cli(served, "--rate", "0.25").exit_code == 0
    with served.catalog.sessions() as session, session.begin():
        sampled = [row for row in session.scalars(select(SampleRow).where(SampleRow.operator == "3317"))
                   if row.service_date == DAY]  # fmt: skip
        sampled[0].reviewed_at, sampled[0].reviewed_by, sampled[0].review_outcome = served.clock(), "aysel", "no_issue"

    served.login("aysel")
    card = served.client.get("/api/v1/operators/3317/scorecard", params={"date_from": "2026-05-04",
                                                                         "date_to": "2026-05-04"}).json()  # fmt: skip
    per_principle = {p["principle"]: (p["findings"], p["confirmed"], p["dismissed"], p["pending"])
                     for p in card["per_principle"]}  # fmt: skip
    assert list(per_principle) == ["efficiency", "transparency", "courtesy", "responsibility", "convenience"]
    assert per_principle == {"efficiency": (0, 0, 0, 0), "transparency": (2, 1, 0, 1), "courtesy": (1, 0, 0, 1),
                             "responsibility": (2, 1, 1, 0), "convenience": (0, 0, 0, 0)}  # fmt: skip
    assert {k: card[k] for k in ("centers", "sessions", "findings", "confirmed", "decided", "confirmed_rate",
                                 "sampled", "sampled_reviewed")} == {
        "centers": ["baku-1"], "sessions": 12, "findings": 5, "confirmed": 2, "decided": 3, "confirmed_rate": 0.6667,
        "sampled": len(sampled), "sampled_reviewed": 1}  # fmt: skip
    assert served.client.get("/api/v1/operators/3317/scorecard").json()["sessions"] == 12  # 30 days to today
    both_days = served.client.get("/api/v1/operators/3317/scorecard", params={"date_to": "2026-05-05"}).json()
    assert (both_days["sessions"], both_days["findings"]) == (14, 6)
    assert (
        served.client.get(
            "/api/v1/operators/3317/scorecard", params={"date_from": "2026-05-05", "date_to": "2026-05-04"}
        ).status_code
        == 422
    )
    # Linked (conflict of interest) or only at other centres: exactly like an operator never seen.
    answers = {op: served.client.get(f"/api/v1/operators/{op}/scorecard") for op in ("op-7", "op-9", "nobody")}
    assert {op: a.status_code for op, a in answers.items()} == {"op-7": 404, "op-9": 404, "nobody": 404}
    assert {a.json()["detail"].replace(op, "X") for op, a in answers.items()} == {"operator X not found"}
    served.login("kamran")
    other = served.client.get("/api/v1/operators/op-9/scorecard", params={"date_to": "2026-05-04"}).json()
    assert (other["centers"], other["sessions"], other["findings"]) == (["ganja-1"], 4, 1)
    with served.catalog.sessions() as session:
        denied = [e.object_id or "" for e in AuditLog(session).search(AuditFilter(action="access_denied"))]
    assert sorted(denied) == ["op-7", "op-9"]
