"""The findings the pages show with visits: per leg on the session page, a count per visit in search results."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from indexer.session_views import VisitView
from policies.finding_views import FindingFilter, FindingView, search_findings
from policies.subjects import leg_key
from seffaf.catalog.finding_tables import FindingRow

MAX_PER_VISIT = 1000


def findings_by_leg(session: Session, visit: VisitView) -> dict[int, list[FindingView]]:
    """The visit's findings by leg index, in time order; matched by the legs' keys, not row ids (rebuilds renumber)."""
    keys = {leg_key(visit.center, visit.service_date, visit.ticket, leg.index): leg.index for leg in visit.legs}
    found: dict[int, list[FindingView]] = {leg.index: [] for leg in visit.legs}
    filters = FindingFilter(
        ticket=visit.ticket, center=visit.center, service_date=visit.service_date, limit=MAX_PER_VISIT
    )
    for finding in search_findings(session, filters):
        if finding.subject in keys:
            found[keys[finding.subject]].append(finding)
    return found


def finding_counts(session: Session, visits: list[VisitView]) -> dict[int, int]:
    """How many findings each visit's legs raised, for a page of search results (one query)."""
    if not visits:
        return {}
    by_key: dict[tuple[str, date, str | None], int] = {(v.center, v.service_date, v.ticket): v.id for v in visits}
    query = select(FindingRow.center, FindingRow.service_date, FindingRow.ticket).where(
        FindingRow.ticket.in_(sorted({v.ticket for v in visits})),
        FindingRow.service_date >= min(v.service_date for v in visits),
        FindingRow.service_date <= max(v.service_date for v in visits),
        FindingRow.subject.startswith("leg:"),
    )
    counts = Counter(by_key.get((center, day, ticket)) for center, day, ticket in session.execute(query))
    return {visit_id: count for visit_id, count in counts.items() if visit_id is not None}
