"""Queue events in through the CLI, service sessions out: on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seffaf.cli.main import app
from tests.support.queue import SITES, a042_visit, event, write_jsonl


@pytest.fixture
def cli(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SEFFAF_DATABASE_URL", database_url)
    monkeypatch.setenv("SEFFAF_STORAGE_URL", (tmp_path / "objects").as_uri())
    runner = CliRunner()
    sites = tmp_path / "sites.toml"
    sites.write_text(SITES)
    result = runner.invoke(app, ["sites", "load", str(sites)])
    assert result.exit_code == 0, result.output
    return runner


def run(cli: CliRunner, *args: str) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def sessions_json(cli: CliRunner, *filters: str) -> list[dict[str, object]]:
    return json.loads(run(cli, "sessions", *filters, "--json"))  # type: ignore[no-any-return]


def test_a_ticket_becomes_a_visit_with_a_leg_per_window(cli: CliRunner, tmp_path: Path) -> None:
    summary = json.loads(run(cli, "ingest", str(write_jsonl(tmp_path / "day.jsonl", a042_visit())), "--json"))
    assert summary == {"accepted": 9, "duplicate": 0, "conflict": 0, "rejected": 0}
    [visit] = sessions_json(cli, "--ticket", "A042")
    assert visit["outcome"] == "completed" and visit["service"] == "passport"
    assert visit["application_ids"] == ["APP-1", "APP-2"]
    legs = visit["legs"]
    assert isinstance(legs, list)
    assert [(leg["window"], leg["operator"], leg["outcome"]) for leg in legs] == [
        (7, "3317", "transferred"),
        (12, "4410", "completed"),  # from the operator's shift at window 12
    ]
    assert legs[0]["called_at"] == "2026-05-04T06:02:11Z"
    assert legs[0]["ended_at"] == "2026-05-04T06:09:00Z"
    for query in (("--application", "APP-2"), ("--operator", "4410"), ("--window", "12"), ("--date", "2026-05-04"),
                  ("--center", "baku-1")):  # fmt: skip
        assert [v["ticket"] for v in sessions_json(cli, *query)] == ["A042"], query
    assert sessions_json(cli, "--window", "3") == []


def test_duplicates_conflicts_and_bad_rows_are_counted_and_nothing_is_lost(cli: CliRunner, tmp_path: Path) -> None:
    good = a042_visit()
    changed = {**good[3], "window": 9}  # same event id, other content
    rows: list[dict[str, object] | str] = [
        *good,
        good[4],  # redelivered as it was
        changed,
        event(20, "ticket_called", "11:00:00", ticket="B001"),  # no window
        event(21, "ticket_teleported", "11:00:00", ticket="B002"),
        {**event(22, "ticket_issued", "11:00:00", ticket="B003", service="x"), "occurred_at": "2026-05-04T11:00:00"},
        "{not json",
        event(23, "ticket_issued", "11:05:00", ticket="C001", service="tax", center="nowhere"),
    ]
    summary = json.loads(run(cli, "ingest", str(write_jsonl(tmp_path / "mixed.jsonl", rows)), "--json"))
    assert summary == {"accepted": 9, "duplicate": 1, "conflict": 1, "rejected": 5}
    assert sum(summary.values()) == len(rows)
    rejected = json.loads(run(cli, "rejected", "list", "--json"))
    assert [(r["origin"], r["field"]) for r in rejected] == [
        ("mixed.jsonl:12", "window"),
        ("mixed.jsonl:13", "type"),
        ("mixed.jsonl:14", "occurred_at"),
        ("mixed.jsonl:15", None),
        ("mixed.jsonl:16", "center"),
    ]
    assert "required for ticket_called" in rejected[0]["reason"]
    assert rejected[4]["payload"] == json.dumps(rows[-1])
    again = json.loads(run(cli, "ingest", str(tmp_path / "mixed.jsonl"), "--json"))
    assert again["accepted"] == 0 and again["duplicate"] == 10


def test_late_events_reopen_and_rebuild_the_visit(cli: CliRunner, tmp_path: Path) -> None:
    visit = a042_visit()
    run(cli, "ingest", str(write_jsonl(tmp_path / "first.jsonl", visit[:6])))
    [open_visit] = sessions_json(cli, "--ticket", "A042")
    assert open_visit["outcome"] == "unterminated"  # 2026-05-04 is long over: closed at end of day
    run(cli, "ingest", str(write_jsonl(tmp_path / "late.jsonl", reversed(visit[6:]))))
    [rebuilt] = sessions_json(cli, "--ticket", "A042")
    assert rebuilt["outcome"] == "completed"
    assert len(rebuilt["legs"]) == 2  # type: ignore[arg-type]


def test_csv_export_gives_the_same_sessions_as_jsonl(cli: CliRunner, tmp_path: Path) -> None:
    columns = ["source", "event_id", "type", "center", "occurred_at", "ticket", "service", "priority", "window",
               "operator", "application_ids", "to_window", "to_service"]  # fmt: skip
    lines = [",".join(columns)]
    for e in a042_visit():
        cells = [";".join(e[c]) if c == "application_ids" and c in e else str(e.get(c, "")) for c in columns]
        lines.append(",".join(cells))
    (tmp_path / "day.csv").write_text("\n".join(lines) + "\n")
    assert json.loads(run(cli, "ingest", str(tmp_path / "day.csv"), "--json"))["accepted"] == 9
    [visit] = sessions_json(cli, "--ticket", "A042")
    assert visit["application_ids"] == ["APP-1", "APP-2"]
    assert [leg["outcome"] for leg in visit["legs"]] == ["transferred", "completed"]  # type: ignore[attr-defined]


def test_rejected_row_is_accepted_on_retry_once_its_centre_exists(cli: CliRunner, tmp_path: Path) -> None:
    row = event(30, "ticket_issued", "12:00:00", ticket="G001", service="tax", center="ganja-2")
    assert json.loads(run(cli, "ingest", str(write_jsonl(tmp_path / "g.jsonl", [row])), "--json"))["rejected"] == 1
    (tmp_path / "ganja.toml").write_text('[[center]]\nid = "ganja-2"\nname = "Ganja 2"\ntimezone = "Asia/Baku"\n')
    run(cli, "sites", "load", str(tmp_path / "ganja.toml"))
    assert json.loads(run(cli, "rejected", "retry", "--json")) == {"retried": 1, "resolved": 1, "still_rejected": 0}
    assert [v["ticket"] for v in sessions_json(cli, "--center", "ganja-2")] == ["G001"]
    assert json.loads(run(cli, "rejected", "list", "--json")) == []


def test_accepted_events_are_archived_in_the_object_store(cli: CliRunner, tmp_path: Path) -> None:
    run(cli, "ingest", str(write_jsonl(tmp_path / "day.jsonl", a042_visit())))
    archived = sorted((tmp_path / "objects" / "events" / "qms").rglob("*.jsonl"))
    assert archived
    ids = [json.loads(line)["event_id"] for path in archived for line in path.read_text().splitlines()]
    assert sorted(ids) == sorted(e["event_id"] for e in a042_visit())


def test_bad_sites_file_names_the_line_and_field(tmp_path: Path, cli: CliRunner) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(SITES + '\n[[window]]\ncenter = "baku-9"\nnumber = 3\n')
    result = cli.invoke(app, ["sites", "load", str(bad)])
    assert result.exit_code != 0
    line = SITES.count("\n") + 2
    assert f"(line {line}): window[2].center: unknown centre 'baku-9'" in result.output


def test_schema_is_published_and_matches_the_committed_copy() -> None:
    printed = json.loads(CliRunner().invoke(app, ["ingest", "--schema"]).stdout)
    committed = json.loads((Path(__file__).parents[2] / "docs" / "queue-event.schema.json").read_text())
    assert printed == committed
    assert set(printed["properties"]) == {
        "source", "event_id", "type", "center", "occurred_at", "ticket", "service", "priority", "window",
        "operator", "application_ids", "to_window", "to_service",
    }  # fmt: skip


def test_a_source_clock_offset_corrects_its_timestamps(cli: CliRunner, tmp_path: Path) -> None:
    run(cli, "sources", "add", "qms", "--clock-offset", "-90")  # this queue system's clock runs 90 s fast
    run(cli, "ingest", str(write_jsonl(tmp_path / "day.jsonl", a042_visit())))
    [visit] = sessions_json(cli, "--ticket", "A042")
    assert visit["legs"][0]["called_at"] == "2026-05-04T06:00:41Z"  # type: ignore[index]


def test_sources_list_never_shows_keys(cli: CliRunner) -> None:
    key = run(cli, "sources", "add", "kiosk-2").strip()
    assert key.startswith("sfq_") and len(key) > 40
    listing = run(cli, "sources", "list")
    assert "kiosk-2" in listing and key not in listing
    duplicate = cli.invoke(app, ["sources", "add", "kiosk-2"])
    assert duplicate.exit_code != 0 and "exists already" in duplicate.output


def test_a_window_serving_two_tickets_at_once_is_kept_as_an_anomaly(cli: CliRunner, tmp_path: Path) -> None:
    overlapping = [
        event(60, "operator_login", "09:00:00", operator="3317", window=7),
        event(61, "ticket_called", "10:00:00", ticket="K001", window=7),
        event(62, "service_started", "10:00:30", ticket="K001", window=7),
        event(63, "ticket_called", "10:05:00", ticket="K002", window=7),
        event(64, "service_started", "10:05:20", ticket="K002", window=7),
        event(65, "service_completed", "10:08:00", ticket="K001", window=7),
        event(66, "service_completed", "10:12:00", ticket="K002", window=7),
    ]
    run(cli, "ingest", str(write_jsonl(tmp_path / "overlap.jsonl", overlapping)))
    visits = {v["ticket"]: v for v in sessions_json(cli, "--window", "7")}
    assert "window_busy_with:K002" in visits["K001"]["legs"][0]["anomalies"]  # type: ignore[index]
    assert "window_busy_with:K001" in visits["K002"]["legs"][0]["anomalies"]  # type: ignore[index]
    assert {v["outcome"] for v in visits.values()} == {"completed"}


def test_an_open_visit_is_closed_as_unterminated_once_its_day_is_over(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    monkeypatch.setattr("seffaf.cli.ingest_cmd.utcnow", lambda: datetime(2026, 5, 4, 8, 0, tzinfo=UTC))
    run(cli, "ingest", str(write_jsonl(tmp_path / "morning.jsonl", a042_visit()[:5])))
    [during] = sessions_json(cli, "--ticket", "A042")
    assert during["outcome"] == "open"  # 12:00 in Baku: still being served
    monkeypatch.setattr("seffaf.cli.ingest_cmd.utcnow", lambda: datetime(2026, 5, 5, 8, 0, tzinfo=UTC))
    run(cli, "ingest", str(write_jsonl(tmp_path / "other.jsonl", [event(80, "ticket_issued", "09:00:00", ticket="Q1",
                                                                       service="tax")])))  # fmt: skip
    [after] = sessions_json(cli, "--ticket", "A042")
    assert after["outcome"] == "unterminated"
    assert after["legs"][0]["ended_at"] == "2026-05-04T20:00:00Z"  # type: ignore[index]  # local midnight


def test_rebuild_all_re_derives_every_session(cli: CliRunner, tmp_path: Path) -> None:
    run(cli, "ingest", str(write_jsonl(tmp_path / "day.jsonl", a042_visit())))
    assert run(cli, "ingest", "--rebuild-all").startswith("rebuilt 1 visit(s)")
    [visit] = sessions_json(cli, "--ticket", "A042")
    assert visit["outcome"] == "completed"
