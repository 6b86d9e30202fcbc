"""Footage recorded, sessions ingested, analysed, judged by the worker: findings with provenance to trust."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seffaf.cli.main import app
from tests.support.cli import seffaf
from tests.support.queue import SITES, event, write_jsonl

T0 = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)  # 10:00 in Baku
DAY = ["--since", "2026-05-04T00:00:00Z", "--until", "2026-05-05T00:00:00Z"]
RULES = """
name = "test-centre"
version = "{version}"

[[rule]]
id = "operator_absent"
title = "Operator away"
principle = "responsibility"
severity = "medium"
description = "The operator's side of the desk was empty for too long."
params = {{ max_absent_s = {limit} }}
condition = "seen.analysed && seen.operator_absent_s > params.max_absent_s"
explanation = "operator absent {{seen.operator_absent_s}} s (limit {{params.max_absent_s}} s)"
evidence = ["operator_absent"]

[[rule]]
id = "ghost_service"
title = "Service with no citizen"
principle = "transparency"
severity = "high"
description = "Completed, on camera, and no citizen ever seen."
condition = "leg.outcome == 'completed' && seen.analysed && seen.citizen_seen_s == 0.0 && coverage.ratio >= 0.9"
explanation = "completed, {{coverage.ratio}} of it on camera, no citizen seen"
evidence = ["leg"]
"""


def rules(tmp_path: Path, version: str, limit: float) -> str:
    path = tmp_path / f"rules-{version}-{limit}.toml"
    path.write_text(RULES.format(version=version, limit=limit))
    return str(path)


def cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_worker_judges_an_analysed_leg_and_findings_keep_their_provenance(
    tmp_path: Path, database_url: str, g711_clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {"SEFFAF_DATABASE_URL": database_url, "SEFFAF_STORAGE_URL": (tmp_path / "objects").as_uri()}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    (tmp_path / "sites.toml").write_text(SITES)
    cli("sites", "load", str(tmp_path / "sites.toml"))
    # The test clip shows no people: the operator is "absent" for the whole 20 s leg and no citizen is seen.
    recorded = seffaf("record", "--camera", "baku-1-w07", "--source", str(g711_clip), "--start-time",
                      T0.isoformat(), "--spool", str(tmp_path / "spool"), cwd=tmp_path, env=env)  # fmt: skip
    assert recorded.returncode == 0, recorded.stderr
    visit = [event(1, "operator_login", "09:50:00", operator="3317", window=7),
             event(2, "ticket_issued", "09:58:00", ticket="A9", service="passport", priority=0),
             event(3, "ticket_called", "10:00:03", ticket="A9", window=7),
             event(4, "service_completed", "10:00:23", ticket="A9", window=7)]  # fmt: skip
    cli("ingest", str(write_jsonl(tmp_path / "q.jsonl", visit)))
    v1 = rules(tmp_path, "1.0", 10.0)
    assert json.loads(cli("index", "--json"))["evaluations_queued"] == 0  # footage not analysed yet
    assert seffaf("worker", "--once", "--rules", v1, cwd=tmp_path, env=env, timeout=300).returncode == 0
    assert json.loads(cli("index", "--json"))["evaluations_queued"] >= 1
    assert cli("index", "--json") and json.loads(cli("index", "--json"))["evaluations_queued"] == 0  # once only
    worked = seffaf("worker", "--once", "--rules", v1, cwd=tmp_path, env=env, timeout=300)
    assert worked.returncode == 0, worked.stderr

    found = json.loads(cli("findings", "--ticket", "A9", "--json"))
    by_rule = {f["rule_id"]: f for f in found}
    assert set(by_rule) == {"operator_absent", "ghost_service"}
    absent = by_rule["operator_absent"]
    assert (absent["ruleset"], absent["ruleset_version"], absent["principle"]) == (
        "test-centre",
        "1.0",
        "responsibility",
    )
    assert absent["explanation"].startswith("operator absent 2")  # about 20 s of the 20 s leg
    assert absent["explanation"].endswith("s (limit 10 s) from 10:00:03")
    assert 15.0 <= absent["facts"]["seen.operator_absent_s"] <= 20.0
    called, ended = T0 + timedelta(seconds=3), T0 + timedelta(seconds=23)
    for span in absent["evidence"]:  # what the reviewer is shown lies inside the leg
        assert called <= datetime.fromisoformat(span["start"]) < datetime.fromisoformat(span["end"]) <= ended
    assert (absent["center"], absent["window"], absent["operator"], absent["leg_index"]) == ("baku-1", 7, "3317", 0)

    # The same version again adds nothing; a new version adds its own findings and rewrites none.
    assert json.loads(cli("evaluate", *DAY, "--rules", v1, "--json"))["new_findings"] == 0
    v2 = json.loads(cli("evaluate", *DAY, "--rules", rules(tmp_path, "1.1", 30.0), "--json"))
    assert v2["per_rule"] == {"ghost_service": 1} and v2["new_findings"] == 1
    after = json.loads(cli("findings", "--ticket", "A9", "--json"))
    assert sorted((f["rule_id"], f["ruleset_version"]) for f in after) == [
        ("ghost_service", "1.0"), ("ghost_service", "1.1"), ("operator_absent", "1.0")]  # fmt: skip
    assert next(f for f in after if f["id"] == absent["id"]) == absent

    # A dry run counts per rule, centre and operator, and writes nothing.
    dry = json.loads(cli("policies", "dry-run", rules(tmp_path, "2.0", 5.0), *DAY, "--json"))
    counts = {rule["rule_id"]: rule for rule in dry["rules"]}
    assert counts["operator_absent"]["per_center"] == {"baku-1": 1}
    assert counts["operator_absent"]["per_operator"] == {"3317": 1}
    assert len(json.loads(cli("findings", "--json"))) == 3

    # Reviewers' verdicts, by the review rules, make a precision figure per rule; only final verdicts count.
    for name, role in (("aysel", "reviewer"), ("nigar", "senior_reviewer")):
        cli("users", "add", name, "--role", role, "--center", "baku-1")
    ghost = [f["id"] for f in after if f["rule_id"] == "ghost_service"]
    assert "(final)" in cli("verdict", str(absent["id"]), "dismissed", "--reviewer", "aysel",
                            "--note", "operator at the archive shelf")  # fmt: skip
    # High severity: the first verdict waits for a senior reviewer's second.
    assert "awaiting_senior: not final yet" in cli("verdict", str(ghost[0]), "confirmed", "--reviewer", "aysel")
    stats = {row["rule_id"]: row for row in json.loads(cli("policies", "stats", "--json"))}
    assert stats["operator_absent"] | {} == {"ruleset": "test-centre", "rule_id": "operator_absent", "findings": 1,
                                             "confirmed": 0, "dismissed": 1, "precision": 0.0}  # fmt: skip
    assert (stats["ghost_service"]["confirmed"], stats["ghost_service"]["precision"]) == (0, None)
    cli("verdict", str(ghost[0]), "confirmed", "--reviewer", "nigar")
    # Or both at once: the first verdict and the senior's second, recorded together.
    assert "(final)" in cli("verdict", str(ghost[1]), "confirmed", "--reviewer", "aysel", "--second-reviewer", "nigar")
    stats = {row["rule_id"]: row for row in json.loads(cli("policies", "stats", "--json"))}
    assert (stats["ghost_service"]["findings"], stats["ghost_service"]["precision"]) == (2, 1.0)
    for refused_args, message in [
        (["verdict", str(absent["id"]), "maybe", "--reviewer", "aysel"],
         "verdict: 'maybe' is not one of confirmed, dismissed, escalate"),
        (["verdict", str(absent["id"]), "confirmed", "--reviewer", "nigar"], "the verdict is final (dismissed)"),
        (["verdict", str(absent["id"]), "confirmed", "--reviewer", "nobody"], "no enabled account 'nobody'"),
    ]:  # fmt: skip
        refused = CliRunner().invoke(app, refused_args)
        assert refused.exit_code == 2 and message in refused.output, refused.output
