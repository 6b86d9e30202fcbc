"""A case on real recorded footage, handlers with and without the unredacted-export permission, a signing key.

The recorded leg (tests/support/recorded_leg.py: ticket A9 at baku-1, window 7) is the case's session.
Redaction is a copying stand-in here (the demo test exports with the real face redactor).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from review_app.app import create_app
from review_app.audit.entries import AuditFilter
from review_app.audit.log import AuditLog
from review_app.auth.users import UserDirectory
from seffaf.cases.case_service import CaseService
from seffaf.catalog.case_tables import ExportRow
from seffaf.catalog.connect import Catalog, open_catalog
from seffaf.catalog.sites_tables import CenterRow
from seffaf.config import EvidenceConfig, Settings
from seffaf.evidence.redactor import Redactor
from seffaf.evidence.redactor_lookup import RedactorUnavailable
from seffaf.evidence.signing import generate_key_pair
from seffaf.storage.local import LocalObjectStore
from tests.cases.case_support import complaint
from tests.evidence.support import CopyingRedactor
from tests.review_app.conftest import T0, ReviewApp
from tests.support.clock import SteppedClock
from tests.support.recorded_leg import CataloguedLeg, catalog_leg


@dataclass(frozen=True)
class Exporting:
    web: ReviewApp
    leg: CataloguedLeg
    case_id: int
    private_key: Path
    public_key: Path
    data_dir: Path

    @property
    def exports_dir(self) -> Path:
        return self.data_dir / "exports"


def copying() -> Redactor | RedactorUnavailable:
    return CopyingRedactor()


def add_handlers(catalog: Catalog, password_hash: str) -> None:
    """leyla: handler at baku-1; nadia: handler at baku-1 with unredacted_export; farid: handler at ganja-1."""
    with catalog.sessions() as session, session.begin():
        session.add(CenterRow(id="ganja-1", name="Ganja ASAN 1", timezone="Asia/Baku"))
        session.flush()
        users = UserDirectory(session)
        users.add("leyla", password_hash, ["complaint_handler"], ["baku-1"], [], T0)
        users.add("nadia", password_hash, ["complaint_handler", "unredacted_export"], ["baku-1"], [], T0)
        users.add("farid", password_hash, ["complaint_handler"], ["ganja-1"], [], T0)


def open_a9_case(catalog: Catalog, visit_id: int) -> int:
    """Complaint C-17 about ticket A9, opened as a case on its session (holding its footage)."""
    with catalog.sessions() as session, session.begin():
        service = CaseService(session, SteppedClock(T0))
        row = service.record_complaint(complaint(), "leyla")
        return service.open_case(row.id, service.visits([visit_id]), "leyla").id


def app_over(leg: CataloguedLeg, data_dir: Path, signing_key: Path | None, clock: SteppedClock) -> FastAPI:
    settings = Settings(database_url=leg.database_url, data_dir=data_dir,
                        evidence=EvidenceConfig(signing_key_path=signing_key))  # fmt: skip
    return create_app(settings, store=LocalObjectStore(leg.objects), clock=clock, redactors=copying)


def _exporting(recorded: Path, tmp_path: Path, database_url: str, password_hash: str) -> Iterator[Exporting]:
    leg = catalog_leg(recorded, tmp_path, database_url)
    keys = generate_key_pair(tmp_path / "keys")
    catalog = open_catalog(database_url)
    add_handlers(catalog, password_hash)
    case_id = open_a9_case(catalog, leg.visit_id)
    clock = SteppedClock(T0)
    app = app_over(leg, tmp_path / "data", keys.private_path, clock)
    with TestClient(app) as client:
        web = ReviewApp(app, client, clock, catalog)
        yield Exporting(web, leg, case_id, keys.private_path, keys.public_path, tmp_path / "data")
    catalog.close()


@pytest.fixture
def exporting(recorded_footage: Path, tmp_path: Path, database_url: str, password_hash: str) -> Iterator[Exporting]:
    """On SQLite, then PostgreSQL."""
    yield from _exporting(recorded_footage, tmp_path, database_url, password_hash)


@pytest.fixture
def exporting_sqlite(recorded_footage: Path, tmp_path: Path, password_hash: str) -> Iterator[Exporting]:
    """For what the database has no part in (pages, configuration): SQLite only."""
    yield from _exporting(recorded_footage, tmp_path, f"sqlite:///{tmp_path / 'catalog.sqlite3'}", password_hash)


def export_rows(catalog: Catalog) -> list[tuple[int, str, bool, str | None, str]]:
    """(case, file, redacted, reason, by) of every ExportRow, oldest first."""
    with catalog.sessions() as session:
        rows = session.scalars(select(ExportRow).order_by(ExportRow.id))
        return [(r.case_id, r.file_name, r.redacted, r.reason, r.exported_by) for r in rows]


def trail(catalog: Catalog, action: str) -> list[tuple[str | None, str | None, str | None, str | None]]:
    """(actor, object type, object id, reason) of the rows of `action`, oldest first."""
    with catalog.sessions() as session:
        found = AuditLog(session).search(AuditFilter(action=action))
    return [(e.actor, e.object_type, e.object_id, e.reason) for e in reversed(found)]
