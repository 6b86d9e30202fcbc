"""`seffaf cases`: open a case from a complaint reference and a ticket, close it, list and show it (with --json);
refusals name the option at fault and record nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from sqlalchemy import func, select
from typer.testing import CliRunner

from review_app.auth.users import UserDirectory
from seffaf.catalog.case_tables import ComplaintRow, HoldRow
from seffaf.catalog.connect import open_catalog
from seffaf.cli.cases_cmd import cases_app
from tests.support.recorded_leg import T0, CataloguedLeg, catalog_leg

RECORDED = 6  # the recorded leg's segments, all within its padded time
OPEN_A9 = ["cases", "open", "--complaint-ref", "C-17", "--ticket", "A9", "--center", "baku-1", "--date", "2026-05-04",
           "--received", "2026-05-06", "--channel", "phone", "--description", "asked for money"]  # fmt: skip


@pytest.fixture
def leg(recorded_footage: Path, tmp_path: Path, database_url: str) -> CataloguedLeg:
    return catalog_leg(recorded_footage, tmp_path, database_url)


def run(leg: CataloguedLeg, *args: str) -> tuple[int, str, str]:
    """The command as `seffaf cases …` would run it (main.py registers cases_app under that name)."""
    app = typer.Typer()
    app.add_typer(cases_app, name="cases")
    env = {"SEFFAF_DATABASE_URL": leg.database_url, "SEFFAF_STORAGE_URL": leg.objects.as_uri()}
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def counts(leg: CataloguedLeg) -> tuple[int, int, int]:
    """Complaints, active holds, released holds."""
    catalog = open_catalog(leg.database_url)
    with catalog.sessions() as session:
        complaints = session.scalar(select(func.count()).select_from(ComplaintRow)) or 0
        active = session.scalar(select(func.count()).where(HoldRow.released_at.is_(None))) or 0
        released = session.scalar(select(func.count()).where(HoldRow.released_at.is_not(None))) or 0
    catalog.close()
    return complaints, active, released


def test_open_and_close_round_trip_with_json(leg: CataloguedLeg) -> None:
    code, out, err = run(leg, *OPEN_A9)
    assert code == 0, err
    case_id = int(out.strip())
    assert f"case #{case_id}: complaint C-17, 1 session(s), {RECORDED} segment(s) held" in err
    assert counts(leg) == (1, RECORDED, 0)
    code, out, err = run(leg, "cases", "show", str(case_id), "--json")
    shown = json.loads(out)
    assert (shown["status"], shown["complaint"]["reference"], shown["complaint"]["channel"]) == (
        "open",
        "C-17",
        "phone",
    )
    assert [(s["ticket"], s["visit_id"]) for s in shown["sessions"]] == [("A9", leg.visit_id)]
    code, out, err = run(leg, "cases", "close", str(case_id), "--outcome", "inconclusive", "--reason",
                         "the counter is out of the camera's view", "--json")  # fmt: skip
    assert code == 0, err
    closed = json.loads(out)
    assert (closed["status"], closed["outcome"], closed["holds_released"]) == ("closed", "inconclusive", RECORDED)
    assert counts(leg) == (1, 0, RECORDED)
    code, out, _ = run(leg, "cases", "list", "--status", "closed", "--json")
    listed = json.loads(out)
    assert [(c["id"], c["complaint_reference"], c["active_holds"]) for c in listed["items"]] == [(case_id, "C-17", 0)]
    code, _, err = run(leg, "cases", "close", str(case_id), "--outcome", "withdrawn", "--reason", "again")
    assert code == 2 and "the case is closed" in err


def test_refusals_name_the_option_and_record_nothing(leg: CataloguedLeg) -> None:
    wrong_ticket = [*OPEN_A9[:5], "A10", *OPEN_A9[6:]]
    code, _, err = run(leg, *wrong_ticket)
    assert code == 2 and "error: --ticket: no session of ticket A10 at baku-1 on 2026-05-04" in err
    code, _, err = run(leg, "cases", "open", "--complaint-ref", "C-18", "--application", "APP-9")
    assert code == 2 and "error: --application: no session with application 'APP-9'" in err
    code, _, err = run(leg, "cases", "open", "--complaint-ref", "C-19", "--ticket", "A9", "--center", "baku-1")
    assert code == 2 and "error: --date: needed with --ticket" in err
    code, _, err = run(leg, *OPEN_A9[:-6], "--received", "2026-05-01")
    assert code == 2 and "error: --received: before the day of the visit" in err
    catalog = open_catalog(leg.database_url)
    with catalog.sessions() as session, session.begin():
        UserDirectory(session).add("aysel", "x", ["reviewer"], ["baku-1"], [], T0)
    catalog.close()
    code, _, err = run(leg, *OPEN_A9, "--by", "aysel")
    assert code == 2 and "error: --by: aysel is not a complaint handler" in err
    assert counts(leg) == (0, 0, 0)
