"""The search filters find the same visits whichever way the query reaches them (legs first or visits first)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest

from indexer.session_query import SessionFilter, visit_query
from seffaf.catalog.connect import Catalog, open_catalog
from seffaf.catalog.finding_tables import FindingRow
from seffaf.catalog.session_tables import LegRow, VisitRow

MAY_4, MAY_5 = date(2026, 5, 4), date(2026, 5, 5)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# (centre, date, ticket): [(window, operator, called_at UTC or None for a walk-in, coverage)]
VISITS: dict[tuple[str, date, str], list[tuple[int, str, str | None, float | None]]] = {
    ("baku-1", MAY_4, "A001"): [(7, "3317", "2026-05-04 06:00", 1.0), (12, "4410", "2026-05-04 06:20", 0.5)],
    # Called at 01:30 in Baku: still the 3rd in UTC, yet a visit of the 4th.
    ("baku-1", MAY_4, "A002"): [(7, "3317", "2026-05-03 21:30", None)],
    ("baku-1", MAY_4, "walk-in/7/101500"): [(7, "3317", None, 1.0)],
    ("baku-1", MAY_5, "B001"): [(7, "3317", "2026-05-05 07:00", 1.0)],
    ("ganja-1", MAY_5, "A001"): [(7, "5001", "2026-05-05 06:00", 1.0)],
}
# (centre, date, ticket, rule, severity): the last names a visit that does not exist.
FINDINGS = [
    ("baku-1", MAY_4, "A001", "operator_absent", "medium"),
    ("ganja-1", MAY_5, "A001", "recording_gap", "high"),
    ("baku-1", MAY_5, "A001", "raised_voice", "medium"),
]


@pytest.fixture
def catalog(database_url: str) -> Iterator[Catalog]:
    catalog = open_catalog(database_url)
    with catalog.sessions() as session, session.begin():
        for (center, day, ticket), legs in VISITS.items():
            visit = VisitRow(center=center, service_date=day, ticket=ticket, walk_in=legs[0][2] is None,
                             outcome="completed", application_ids=[], anomalies=[])  # fmt: skip
            for idx, (window, operator, called, coverage) in enumerate(legs):
                at = utc(called) if called is not None else utc(f"{day.isoformat()} 06:15")
                visit.legs.append(LegRow(idx=idx, center=center, window=window, operator=operator,
                                         operator_source="event", called_at=utc(called) if called else None,
                                         started_at=at, ended_at=at, outcome="completed", application_ids=[],
                                         anomalies=[], coverage=coverage))  # fmt: skip
            session.add(visit)
        for center, day, ticket, rule, severity in FINDINGS:
            at = utc(f"{day.isoformat()} 06:05")
            session.add(FindingRow(subject=f"leg:{center}/{day.isoformat()}/{ticket}/0", rule_id=rule,
                                   ruleset="asan-default", ruleset_version="1.0", principle="p", severity=severity,
                                   title=rule, center=center, service_date=day, window=7, operator=None,
                                   ticket=ticket, leg_index=0, visit_id=None, start=at, end=at, evidence=[],
                                   facts={}, explanation=rule, evaluated_at=at))  # fmt: skip
    yield catalog
    catalog.close()


@pytest.mark.parametrize(
    ("filters", "found"),
    [
        (SessionFilter(operator="3317", date_from=MAY_4, date_to=MAY_4),
         {"baku-1/2026-05-04/A001", "baku-1/2026-05-04/A002", "baku-1/2026-05-04/walk-in/7/101500"}),
        (SessionFilter(operator="3317", date_from=MAY_5), {"baku-1/2026-05-05/B001"}),
        (SessionFilter(operator="3317", date_to=MAY_4),
         {"baku-1/2026-05-04/A001", "baku-1/2026-05-04/A002", "baku-1/2026-05-04/walk-in/7/101500"}),
        (SessionFilter(operator="4410"), {"baku-1/2026-05-04/A001"}),
        (SessionFilter(center="baku-1", window=12, date_from=MAY_4, date_to=MAY_4), {"baku-1/2026-05-04/A001"}),
        (SessionFilter(window=7, date_from=MAY_5), {"baku-1/2026-05-05/B001", "ganja-1/2026-05-05/A001"}),
        (SessionFilter(center="baku-1", coverage_below_full=True, date_from=MAY_4, date_to=MAY_4),
         {"baku-1/2026-05-04/A001", "baku-1/2026-05-04/A002"}),
        (SessionFilter(operator="3317", coverage_below_full=True), {"baku-1/2026-05-04/A002"}),
        (SessionFilter(finding_rule="operator_absent"), {"baku-1/2026-05-04/A001"}),
        (SessionFilter(finding_severity="high"), {"ganja-1/2026-05-05/A001"}),
        (SessionFilter(ticket="A001", finding_status="open"), {"baku-1/2026-05-04/A001", "ganja-1/2026-05-05/A001"}),
        (SessionFilter(ticket="A001", date_from=MAY_5, finding_severity="medium"), set()),  # no visit for that finding
        (SessionFilter(finding_status="open", scope_centers=frozenset({"ganja-1"})), {"ganja-1/2026-05-05/A001"}),
        (SessionFilter(center="baku-1", date_to=MAY_4, hidden_operators=frozenset({"4410"})),
         {"baku-1/2026-05-04/A002", "baku-1/2026-05-04/walk-in/7/101500"}),
    ],
)  # fmt: skip
def test_each_filter_finds_exactly_its_visits(catalog: Catalog, filters: SessionFilter, found: set[str]) -> None:
    with catalog.sessions() as session:
        rows = session.scalars(visit_query(filters)).all()
        assert {f"{v.center}/{v.service_date.isoformat()}/{v.ticket}" for v in rows} == found
