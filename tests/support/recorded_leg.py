"""A session leg with real footage: the test clip recorded twice with a 15 s hole between, catalogued.

Recorded once per run by the real recorder (`seffaf record --start-time`, fixture
`recorded_footage`); each test copies the store, loads the sites, ingests the visit and indexes
it into its own database.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policies.subjects import leg_key
from review_app.auth.passwords import Passwords
from review_app.auth.users import UserDirectory
from seffaf.catalog.connect import open_catalog
from seffaf.catalog.finding_tables import FindingRow
from seffaf.catalog.session_tables import VisitRow
from seffaf.cli.main import app
from tests.support.cli import seffaf
from tests.support.queue import SITES, event, write_jsonl

CAMERA = "baku-1-w07"
T0 = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)  # 10:00 in Baku
SECOND_RUN = T0 + timedelta(seconds=40)  # the 25 s clip again: footage 0-25 s and 40-65 s
CALLED, ENDED = T0 + timedelta(seconds=8), T0 + timedelta(seconds=50)  # the leg; padding adds 30 s each side


@pytest.fixture(scope="session")
def recorded_footage(g711_clip: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six segments (10, 10, 5 s twice) and a gap record; the store directory (copy it before use)."""
    return record_footage(g711_clip, tmp_path_factory.mktemp("footage"))


def record_footage(clip: Path, directory: Path) -> Path:
    objects = directory / "objects"
    env = {"SEFFAF_STORAGE_URL": objects.as_uri(), "SEFFAF_DATABASE_URL": f"sqlite:///{directory / 'unused.db'}"}
    for start in (T0, SECOND_RUN):
        recorded = seffaf("record", "--camera", CAMERA, "--source", str(clip), "--start-time", start.isoformat(),
                          "--spool", str(directory / "spool"), cwd=directory, env=env)  # fmt: skip
        assert recorded.returncode == 0, recorded.stderr
    return objects


@dataclass(frozen=True)
class CataloguedLeg:
    objects: Path
    database_url: str
    visit_id: int
    leg_index: int = 0


def catalog_leg(recorded: Path, tmp_path: Path, database_url: str) -> CataloguedLeg:
    """Ticket A9 called to window 7 at 10:00:08, completed at 10:00:50; linked to its footage."""
    objects = tmp_path / "objects"
    shutil.copytree(recorded, objects)
    env = {"SEFFAF_STORAGE_URL": objects.as_uri(), "SEFFAF_DATABASE_URL": database_url}
    (tmp_path / "sites.toml").write_text(SITES)
    visit = [event(1, "operator_login", "09:50:00", operator="3317", window=7),
             event(2, "ticket_issued", "09:58:00", ticket="A9", service="passport", priority=0),
             event(3, "ticket_called", "10:00:08", ticket="A9", window=7),
             event(4, "service_completed", "10:00:50", ticket="A9", window=7)]  # fmt: skip
    runner = CliRunner()
    for args in (["sites", "load", str(tmp_path / "sites.toml")],
                 ["ingest", str(write_jsonl(tmp_path / "queue.jsonl", visit))], ["index"]):  # fmt: skip
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 0, result.output
    catalog = open_catalog(database_url)
    with catalog.sessions() as session:
        visit_id = session.query(VisitRow.id).filter(VisitRow.ticket == "A9").scalar()
    catalog.close()
    assert visit_id is not None
    return CataloguedLeg(objects, database_url, visit_id)


def add_finding(leg: CataloguedLeg, start: datetime, title: str, severity: str = "high") -> int:
    """A finding on the leg, as the policies would store it (its subject names the leg, not the row)."""
    catalog = open_catalog(leg.database_url)
    with catalog.sessions() as session, session.begin():
        visit = session.get(VisitRow, leg.visit_id)
        assert visit is not None
        row = FindingRow(
            subject=leg_key(visit.center, visit.service_date, visit.ticket, leg.leg_index), rule_id=title.lower(),
            ruleset="test", ruleset_version="1", principle="integrity", severity=severity, title=title,
            center=visit.center, service_date=visit.service_date, window=7, operator="3317", ticket=visit.ticket,
            leg_index=leg.leg_index, visit_id=visit.id, start=start, end=start + timedelta(seconds=2), evidence=[],
            facts={}, explanation=title, evaluated_at=T0,
        )  # fmt: skip
        session.add(row)
        session.flush()
        finding_id = row.id
    catalog.close()
    return finding_id


REASON = "complaint C-17"
REVIEWER_PASSWORD = "correct horse battery"  # noqa: S105 (a test account)


def add_reviewer(database_url: str, username: str, centers: list[str], operator_links: tuple[str, ...] = ()) -> None:
    """A reviewer scoped to `centers` (and kept from `operator_links`' sessions), with REVIEWER_PASSWORD."""
    catalog = open_catalog(database_url)
    with catalog.sessions() as session, session.begin():
        password = Passwords().hash(REVIEWER_PASSWORD)
        UserDirectory(session).add(username, password, ["reviewer"], centers, list(operator_links), T0)
    catalog.close()
