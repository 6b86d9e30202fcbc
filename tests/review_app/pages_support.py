"""Visits, findings and observations for the page tests, and reading the pages' marked-up values."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ingest.archive import EventArchive
from ingest.parsing import parse_payload
from ingest.service import IngestService
from policies.subjects import leg_key
from seffaf.catalog.finding_tables import FindingRow
from seffaf.catalog.observation_tables import ObservationRow
from seffaf.catalog.session_tables import VisitRow
from seffaf.storage.local import LocalObjectStore
from tests.review_app.conftest import ReviewApp
from tests.support.queue import a042_visit, event

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
DAY = date(2026, 5, 4)
CAMERA = "baku-1-w07"  # window 7 of baku-1 in tests/support/queue.py's SITES

# Served by op-7, whom aysel is linked to: hidden from her (conflict of interest).
B001 = [
    event(20, "ticket_issued", "11:00:00", ticket="B001", service="passport", priority=0),
    event(21, "ticket_called", "11:01:00", ticket="B001", window=7),
    event(22, "service_started", "11:01:20", ticket="B001", window=7, operator="op-7"),
    event(23, "service_completed", "11:05:00", ticket="B001", window=7),
]


def ingest(web: ReviewApp, tmp_path: Path, events: list[dict[str, Any]]) -> dict[str, int]:
    """Queue events through ingest; returns visit ids by ticket."""
    rows = [parse_payload(e, f"test:{i}", json.dumps(e), None) for i, e in enumerate(events)]
    archive = EventArchive(LocalObjectStore(tmp_path / "objects"))
    IngestService(web.catalog.sessions, archive, web.clock).ingest_rows(rows)
    with web.catalog.sessions() as session:
        return {ticket: visit_id for visit_id, ticket in session.execute(select(VisitRow.id, VisitRow.ticket))}


def two_visits(web: ReviewApp, tmp_path: Path) -> dict[str, int]:
    """A042 (window 7 then 12, operators 3317 and 4410, applications APP-1 and APP-2) and B001 (op-7)."""
    return ingest(web, tmp_path, [*a042_visit(), *B001])


def many_tickets(count: int) -> list[dict[str, Any]]:
    """`count` tickets C000… at window 12, one a minute from 12:00."""
    events = []
    for n in range(count):
        at = datetime(2026, 5, 4, 12, 0, tzinfo=UTC) + timedelta(minutes=n)  # local time, as event() takes it
        events += [event(1000 + 2 * n, "ticket_issued", f"{at:%H:%M:%S}", ticket=f"C{n:03d}", service="tax"),
                   event(1001 + 2 * n, "ticket_called", f"{at:%H:%M:%S}", ticket=f"C{n:03d}", window=12)]  # fmt: skip
    return events


def add_finding(web: ReviewApp, ticket: str, leg: int, start: datetime, rule: str = "operator_absent",
                severity: str = "medium", explanation: str = "operator absent 200 s (limit 120 s)") -> int:  # fmt: skip
    end = start + timedelta(seconds=200)
    with web.catalog.sessions() as session, session.begin():
        row = FindingRow(
            subject=leg_key("baku-1", DAY, ticket, leg), rule_id=rule, ruleset="asan-default", ruleset_version="1.0",
            principle="responsibility", severity=severity, title=rule.replace("_", " ").capitalize(), center="baku-1",
            service_date=DAY, window=7, operator="3317", ticket=ticket, leg_index=leg, visit_id=None, start=start,
            end=end, evidence=[{"start": start.isoformat(), "end": end.isoformat(), "kind": "operator_absent"}],
            facts={}, explanation=explanation, evaluated_at=start,
        )  # fmt: skip
        session.add(row)
        session.flush()
        return row.id


def add_observations(web: ReviewApp, rows: list[tuple[str, datetime, datetime, float]]) -> None:
    with web.catalog.sessions() as session, session.begin():
        for kind, start, end, value in rows:
            session.add(ObservationRow(segment_key=f"segments/{CAMERA}/x.mp4", cache_key="x", camera=CAMERA,
                                       start=start, end=end, kind=kind, value=value, confidence=0.9,
                                       detector="test", detector_version="1"))  # fmt: skip


def baku(hms: str) -> datetime:
    """10:02:11 in Baku (UTC+4) on the test day, as UTC."""
    h, m, s = (int(part) for part in hms.split(":"))
    return datetime(2026, 5, 4, h - 4, m, s, tzinfo=UTC)


def result_tickets(html: str) -> list[str]:
    return re.findall(r'<a href="/sessions/\d+" data-ticket>([^<]+)</a>', html)


def result_total(html: str) -> int:
    found = re.search(r'data-total="(\d+)"', html)
    assert found is not None, html
    return int(found.group(1))


def text_of(html: str) -> str:
    """The page's words, tags dropped, whitespace folded and dashes typed as hyphens: what a reader sees."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("\u2013", "-").split())
