"""`seffaf demo` end to end, as a visitor runs it: the scripted morning is filmed, recorded, indexed and
analysed, the analytics see each incident the script plays, and the default rule set finds each one, on
the session it was scripted for, and nothing else that morning. A second run changes nothing."""

from __future__ import annotations

import json
import os
import re
import signal
import zipfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import monotonic, sleep
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from policies.loader import load_ruleset
from review_app.app import create_app
from seffaf.cli.demo_cmd import DEMO_WINDOWS, EXIT_INTERRUPTED
from seffaf.cli.main import app as cli
from seffaf.cli.policies_cmd import DEFAULT_RULESET
from seffaf.config import Settings
from seffaf.demo_cameras import camera_id
from seffaf.demo_incidents import plan_incidents
from tests.support.cli import seffaf, seffaf_process

pytestmark = [pytest.mark.integration, pytest.mark.timeout(500)]

BAKU = ZoneInfo("Asia/Baku")
PARAMS = {rule.id: rule.params for rule in load_ruleset(DEFAULT_RULESET).ruleset.rules}


def _limit(rule: str, name: str) -> float:
    return float(PARAMS[rule][name])


def _run(*args: str, cwd: Path, env: dict[str, str], timeout: float = 60) -> str:
    result = seffaf(*args, cwd=cwd, env=env, timeout=timeout)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _in_process(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def _legs(day: date, cwd: Path, env: dict[str, str]) -> dict[str, dict[str, Any]]:
    visits = json.loads(_run("sessions", "--center", "demo-1", "--date", day.isoformat(), "--json", cwd=cwd, env=env))
    legs: dict[str, dict[str, Any]] = {}
    for visit in visits:
        [leg] = visit["legs"]
        legs[visit["ticket"]] = leg
    return legs


def _stopped_by_ctrl_c(cwd: Path, env: dict[str, str], data: Path) -> str:
    """Start the demo and press Ctrl-C (SIGINT to its process group, as a terminal does) once the first camera's
    first segment is in the store; the demo must stop by itself, say so, and leave no traceback."""
    log = cwd / "stopped-demo.log"
    demo = seffaf_process("demo", "--no-serve", cwd=cwd, env=env, log=log)
    first_camera = data / "objects" / "segments" / camera_id("demo-1", 1)
    try:
        deadline = monotonic() + 240
        while not (first_camera.is_dir() and any(first_camera.rglob("*.json"))):
            assert demo.poll() is None and monotonic() < deadline, log.read_text()
            sleep(0.1)
        os.killpg(demo.pid, signal.SIGINT)
        assert demo.wait(timeout=60) == EXIT_INTERRUPTED, log.read_text()
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
    output = log.read_text()
    assert "Stopped. What was finished is kept" in output and "Traceback" not in output, output
    return output


def test_the_demo_films_a_morning_in_which_every_default_rule_finds_its_scripted_incident(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"SEFFAF_DATA_DIR": str(data), "SEFFAF_DATABASE_URL": f"sqlite:///{data}/catalog.sqlite3",
           "SEFFAF_STORAGE_URL": (data / "objects").as_uri(), "SEFFAF_SPOOL_DIR": str(data / "spool")}  # fmt: skip
    # Stopped while recording, then run again: it continues, and everything below holds as for an unbroken run.
    stopped = _stopped_by_ctrl_c(tmp_path, env, data)
    part_way = re.search(r"^  demo-1-w01: stopped part-way; (\d+) segment", stopped, re.M)
    first = _run("demo", "--no-serve", cwd=tmp_path, env=env, timeout=300)
    if part_way and int(part_way.group(1)) > 0:
        assert re.search(r"^  demo-1-w01: [0-9.]+ min recorded \(continued\)", first, re.M), first
    found = re.search(r"scripted morning (\d{4}-\d{2}-\d{2})", first)
    assert found, first
    day = date.fromisoformat(found.group(1))
    plan = plan_incidents("demo-1", day, "Asia/Baku", DEMO_WINDOWS)
    for incident in plan.incidents:
        assert incident.rule in first

    legs = _legs(day, tmp_path, env)
    # D941: the ordinary service at the fourth window
    assert set(legs) == {"A901", "A902", "B901", "B902", "C901", "D901", "E901", "F901", "F902", "D941"}
    assert all(leg["coverage"] == 1.0 and leg["observations"] is not None for leg in legs.values())
    seen = {ticket: leg["observations"] for ticket, leg in legs.items()}
    assert seen["F901"]["operator_absent_s"] > _limit("operator_absent", "max_absent_s")
    assert seen["C901"]["raised_voice_s"] > _limit("raised_voice", "min_raised_s")
    assert seen["E901"]["tamper_s"] > _limit("recording_gap", "max_tamper_s")
    assert seen["D901"]["citizen_seen_s"] == 0.0 and seen["D901"]["operator_present_s"] > 100
    for ticket in plan.ordinary:  # served normally: in view, calm, on camera throughout
        assert seen[ticket]["operator_absent_s"] < 10, ticket
        assert seen[ticket]["citizen_seen_s"] > 60, ticket
        assert seen[ticket]["raised_voice_s"] == 0.0 and seen[ticket]["tamper_s"] == 0.0, ticket

    # The demo judged the morning itself; each rule fired on its scripted incident and nowhere else.
    since = datetime.combine(day, time(9, 59), BAKU).astimezone(UTC)
    window = ("--since", since.isoformat(), "--until", (since + timedelta(hours=1)).isoformat())
    findings = json.loads(_run("findings", "--center", "demo-1", *window, "--json", cwd=tmp_path, env=env))
    raised = sorted((f["rule_id"], f["window"], f["ticket"]) for f in findings)
    assert raised == sorted((i.rule, i.window, i.ticket) for i in plan.incidents)
    for finding in findings:
        assert finding["explanation"] in first  # shown to the newcomer, rendered with the values
    # The unfilmed history days are before the cameras' first recording: no recording-gap findings there.
    gaps = json.loads(_run("findings", "--rule", "recording_gap", "--json", cwd=tmp_path, env=env))
    assert [f["ticket"] for f in gaps] == ["E901"]
    evaluated = json.loads(_run("evaluate", *window, "--json", cwd=tmp_path, env=env))
    assert evaluated["new_findings"] == 0 and evaluated["findings"] == len(plan.incidents)

    again = _run("demo", "--no-serve", cwd=tmp_path, env=env, timeout=120)
    assert "queue: accepted 0," in again
    assert again.count("already recorded until") == DEMO_WINDOWS
    assert "worker: 0 job(s)" in again
    assert _legs(day, tmp_path, env) == legs

    # The seeded complaint's case holds its session's footage; the printed command exports it (redacted, with the
    # real face redactor) and verifies the package. In process: each `seffaf` start costs seconds.
    command = re.compile(r"^  seffaf export --case (\d+) --signing-key (\S+) --out (\S+) && seffaf verify (\S+)$", re.M)
    found_first, found_again = command.search(first), command.search(again)
    assert found_first and found_again and found_first.groups() == found_again.groups(), again
    case_id, key, out, checked = found_again.groups()
    assert out == checked and f"is case #{case_id} (opened now)" in first
    assert f"is case #{case_id} (from an earlier run, open)" in again
    case = json.loads(_in_process(env, "cases", "show", case_id, "--json"))
    assert case["complaint"]["reference"] == f"DEMO-{day.isoformat()}" and case["complaint"]["channel"] == "phone"
    assert [(s["ticket"], s["windows"]) for s in case["sessions"]] == [("B902", [1])]
    assert case["holds"]["active"] > 0 and case["holds"]["runs"]
    assert all(run.startswith(f"{camera_id('demo-1', 1)}:") for run in case["holds"]["runs"])
    assert json.loads(_in_process(env, "cases", "list", "--json"))["total"] == 1  # found again, not opened twice
    package = tmp_path / out
    exported = _in_process(env, "export", "--case", case_id, "--signing-key", key, "--out", str(package))
    assert f"wrote {package} (redacted): case #{case_id}" in exported
    assert _in_process(env, "verify", str(package)).startswith("OK")
    with zipfile.ZipFile(package) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["redaction"]["mode"] == "faces_blurred" and "face pixelation" in manifest["redaction"]["method"]
    [clip] = [leg["clip"] for s in manifest["sessions"] for leg in s["legs"]]
    assert clip["redaction"]["frames"] > 0 and not clip["stream_copy"]

    # One account per role is printed with a fresh password; the reviewer finds the morning in the app.
    accounts = dict(re.findall(r"^  \w+ +(demo-[a-z-]+) +(\S+)$", again, re.M))
    assert set(accounts) == {"demo-reviewer", "demo-senior-reviewer", "demo-complaint-handler", "demo-auditor",
                             "demo-admin"}  # fmt: skip
    settings = Settings(data_dir=data, database_url=env["SEFFAF_DATABASE_URL"], storage_url=env["SEFFAF_STORAGE_URL"])
    with TestClient(create_app(settings)) as client:
        stale = dict(re.findall(r"^  \w+ +(demo-[a-z-]+) +(\S+)$", first, re.M))["demo-reviewer"]
        refused = client.post("/api/v1/auth/login", json={"username": "demo-reviewer", "password": stale})
        assert refused.status_code == 401  # the previous run's password no longer works
        login = {"username": "demo-reviewer", "password": accounts["demo-reviewer"]}
        assert client.post("/api/v1/auth/login", json=login).status_code == 200
        page = client.get("/api/v1/sessions", params={"ticket": "F901", "date_from": day.isoformat()}).json()
        assert page["total"] == 1 and page["items"][0]["legs"][0]["window"] == 1
        # The complaint handler finds the printed case page with its export button and the package just made.
        handler = {"username": "demo-complaint-handler", "password": accounts["demo-complaint-handler"]}
        assert client.post("/api/v1/auth/login", json=handler).status_code == 200
        case_page = client.get(f"/cases/{case_id}", headers={"Accept": "text/html"})
        assert case_page.status_code == 200 and "data-export-form" in case_page.text and package.name in case_page.text
    assert "(demo-admin also holds unredacted_export)" in again
