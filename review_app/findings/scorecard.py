"""An operator's scorecard over a period: sessions served, findings per principle, confirmed rate, samples reviewed.

Counted only at the centres given (the caller passes those in the user's scope), by service date.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import case, func, select, union
from sqlalchemy.orm import Session

from policies.finding_views import review_status_column
from policies.ruleset import Principle
from policies.verdict_flow import PENDING_STATUSES, ReviewStatus
from review_app.findings.models import PrincipleCounts, Scorecard
from seffaf.catalog.finding_tables import FindingRow
from seffaf.catalog.review_tables import SampleRow
from seffaf.catalog.session_tables import LegRow, VisitRow

# Legs in which someone was served: a no-show or a cancelled ticket has no service to count or audit.
UNSERVED = ("no_show", "cancelled")


def operator_centers(session: Session, operator: str) -> set[str]:
    """Every centre where the operator served a leg or was named by a finding (before any scope)."""
    legs = select(LegRow.center).where(LegRow.operator == operator).distinct()
    findings = select(FindingRow.center).where(FindingRow.operator == operator).distinct()
    return set(session.scalars(select(union(legs, findings).subquery().c[0])))


def _per_principle(session: Session, operator: str, centers: list[str], date_from: date,
                   date_to: date) -> list[PrincipleCounts]:  # fmt: skip
    status = review_status_column()
    pending = sorted(PENDING_STATUSES)
    rows = session.execute(
        select(FindingRow.principle, func.count(FindingRow.id),
               func.count(case((status == ReviewStatus.CONFIRMED.value, 1))),
               func.count(case((status == ReviewStatus.DISMISSED.value, 1))),
               func.count(case((status.in_(pending), 1))))
        .where(FindingRow.operator == operator, FindingRow.center.in_(centers),
               FindingRow.service_date >= date_from, FindingRow.service_date <= date_to)
        .group_by(FindingRow.principle)
    )  # fmt: skip
    found = {principle: PrincipleCounts(principle=principle, findings=total, confirmed=yes, dismissed=no,
                                        pending=open_) for principle, total, yes, no, open_ in rows}  # fmt: skip
    # Every principle appears, in the rule book's order, so cards compare side by side; then any other.
    known = [found.pop(p.value, PrincipleCounts(principle=p.value, findings=0, confirmed=0, dismissed=0, pending=0))
             for p in Principle]  # fmt: skip
    return known + [found[name] for name in sorted(found)]


def scorecard(session: Session, operator: str, centers: Collection[str], date_from: date, date_to: date) -> Scorecard:
    where = sorted(centers)
    sessions = session.scalar(
        select(func.count(LegRow.id)).join(VisitRow, VisitRow.id == LegRow.visit_id)
        .where(LegRow.operator == operator, LegRow.center.in_(where), LegRow.outcome.not_in(UNSERVED),
               VisitRow.service_date >= date_from, VisitRow.service_date <= date_to)
    ) or 0  # fmt: skip
    sampled, reviewed = session.execute(
        select(func.count(SampleRow.id), func.count(SampleRow.reviewed_at))
        .where(SampleRow.operator == operator, SampleRow.center.in_(where), SampleRow.service_date >= date_from,
               SampleRow.service_date <= date_to)
    ).one()  # fmt: skip
    principles = _per_principle(session, operator, where, date_from, date_to)
    confirmed = sum(p.confirmed for p in principles)
    decided = confirmed + sum(p.dismissed for p in principles)
    return Scorecard(
        operator=operator, date_from=date_from, date_to=date_to, centers=where, sessions=sessions,
        findings=sum(p.findings for p in principles), per_principle=principles, confirmed=confirmed, decided=decided,
        confirmed_rate=round(confirmed / decided, 4) if decided else None, sampled=sampled, sampled_reviewed=reviewed,
    )  # fmt: skip
