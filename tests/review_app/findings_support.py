"""Crafted catalog rows for the findings workflow tests: accounts, findings, served legs, verdicts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from policies.subjects import leg_key
from review_app.auth.users import UserDirectory
from seffaf.catalog.connect import Catalog
from seffaf.catalog.finding_tables import FindingRow, VerdictRow
from seffaf.catalog.session_tables import LegRow, VisitRow
from tests.review_app.conftest import T0, ReviewApp

DAY = date(2026, 5, 4)
MORNING = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)  # 10:00 in Baku


def add_accounts(web: ReviewApp, password_hash: str) -> None:
    """Beside the conftest's aysel, admin and kamran: two senior reviewers and a complaint handler at baku-1."""
    with web.catalog.sessions() as session, session.begin():
        users = UserDirectory(session)
        users.add("nigar", password_hash, ["senior_reviewer"], ["baku-1"], [], T0)
        users.add("rashad", password_hash, ["senior_reviewer", "reviewer"], ["baku-1"], [], T0)
        users.add("leyla", password_hash, ["complaint_handler"], ["baku-1"], [], T0)


def add_finding(catalog: Catalog, ticket: str, *, severity: str = "medium", center: str = "baku-1",
                operator: str | None = "3317", rule: str = "operator_absent", principle: str = "responsibility",
                minutes: int = 0, day: date = DAY) -> int:  # fmt: skip
    start = datetime.combine(day, MORNING.timetz()) + timedelta(minutes=minutes)
    with catalog.sessions() as session, session.begin():
        row = FindingRow(
            subject=leg_key(center, day, ticket, 0), rule_id=rule, ruleset="asan-default", ruleset_version="1.0",
            principle=principle, severity=severity, title=rule.replace("_", " "), center=center, service_date=day,
            window=7, operator=operator, ticket=ticket, leg_index=0, visit_id=None, start=start,
            end=start + timedelta(seconds=30), evidence=[{"start": start.isoformat(), "end": (start +
            timedelta(seconds=30)).isoformat(), "kind": "operator_absent"}], facts={"seen.operator_absent_s": 30.0},
            explanation=f"{rule} on {ticket}", evaluated_at=start + timedelta(hours=1),
        )  # fmt: skip
        session.add(row)
        session.flush()
        return row.id


def add_verdict(catalog: Catalog, finding_id: int, verdict: str, status: str, reviewer: str = "aysel") -> None:
    with catalog.sessions() as session, session.begin():
        session.add(VerdictRow(finding_id=finding_id, verdict=verdict, status=status, reviewer=reviewer, note="",
                               decided_at=MORNING))  # fmt: skip


def add_leg(session: Session, ticket: str, operator: str, *, center: str = "baku-1", day: date = DAY,
            minutes: int = 0, outcome: str = "completed", window: int = 7) -> int:  # fmt: skip
    """A one-leg visit served by `operator`; returns the visit id."""
    called = datetime.combine(day, MORNING.timetz()) + timedelta(minutes=minutes)
    visit = VisitRow(
        center=center,
        service_date=day,
        ticket=ticket,
        walk_in=False,
        service="passport",
        priority=0,
        issued_at=called - timedelta(minutes=5),
        outcome=outcome,
        application_ids=[],
        anomalies=[],
    )
    visit.legs = [LegRow(idx=0, center=center, window=window, operator=operator, operator_source="event",
                         called_at=called, started_at=called + timedelta(seconds=20),
                         ended_at=called + timedelta(minutes=4), outcome=outcome, service="passport",
                         application_ids=[], recalls=0, anomalies=[])]  # fmt: skip
    session.add(visit)
    session.flush()
    return visit.id
