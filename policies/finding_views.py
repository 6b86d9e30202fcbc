"""Finding findings (CLI JSON and the API share these views), their review status and per-rule precision.

Verdicts are given through review_app.findings.reviews (the state machine of policies/verdict_flow.py);
only final ones (confirmed, dismissed) count as decided.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.orm import Session

from policies.verdict_flow import FINAL_STATUSES, ReviewStatus
from seffaf.catalog.finding_tables import FindingRow, VerdictRow


class FindingFilter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    rule: str | None = None
    ticket: str | None = None
    center: str | None = None
    window: int | None = Field(None, ge=1)
    operator: str | None = None
    service_date: date | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = Field(100, ge=1, le=10_000)
    offset: int = Field(0, ge=0)


class EvidenceView(BaseModel):
    start: datetime
    end: datetime
    kind: str


class FindingView(BaseModel):
    id: int
    rule_id: str
    ruleset: str
    ruleset_version: str
    principle: str
    severity: str
    title: str
    center: str
    window: int
    operator: str | None
    ticket: str | None
    leg_index: int | None
    visit_id: int | None = Field(description="The visit row when evaluated; sessions rebuilt since renumber visits.")
    subject: str
    start: datetime
    end: datetime
    evidence: list[EvidenceView]
    facts: dict[str, float | int | bool | str]
    explanation: str
    evaluated_at: datetime
    status: ReviewStatus = Field(
        ReviewStatus.OPEN, description="open | escalated | awaiting_senior (a high-severity first verdict) | final"
    )
    verdict: str | None = Field(None, description="The final verdict, confirmed | dismissed; null until final.")


def _query(filters: FindingFilter) -> Select[FindingRow]:
    query = select(FindingRow)
    for column, value in ((FindingRow.rule_id, filters.rule), (FindingRow.ticket, filters.ticket),
                          (FindingRow.center, filters.center), (FindingRow.window, filters.window),
                          (FindingRow.operator, filters.operator),
                          (FindingRow.service_date, filters.service_date)):  # fmt: skip
        if value is not None:
            query = query.where(column == value)
    if filters.since is not None:
        query = query.where(FindingRow.end > filters.since)
    if filters.until is not None:
        query = query.where(FindingRow.start < filters.until)
    return query.order_by(FindingRow.start, FindingRow.id)


def review_status_column() -> ColumnElement[str]:
    """A finding's review status inside a query on FindingRow: its latest verdict's, else open."""
    latest = (
        select(VerdictRow.status)
        .where(VerdictRow.finding_id == FindingRow.id)
        .order_by(VerdictRow.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(latest, ReviewStatus.OPEN.value)


def review_statuses(session: Session, finding_ids: list[int]) -> dict[int, ReviewStatus]:
    """Each finding's review status: its latest verdict's (findings with no verdict are open, and absent)."""
    latest = (
        select(VerdictRow.finding_id, func.max(VerdictRow.id).label("id"))
        .where(VerdictRow.finding_id.in_(finding_ids))
        .group_by(VerdictRow.finding_id)
        .subquery()
    )
    rows = session.execute(select(VerdictRow.finding_id, VerdictRow.status).join(latest, latest.c.id == VerdictRow.id))
    return {finding: ReviewStatus(status) for finding, status in rows}


def finding_view(r: FindingRow, status: ReviewStatus) -> FindingView:
    return FindingView(
        id=r.id, rule_id=r.rule_id, ruleset=r.ruleset, ruleset_version=r.ruleset_version, principle=r.principle,
        severity=r.severity, title=r.title, center=r.center, window=r.window, operator=r.operator, ticket=r.ticket,
        leg_index=r.leg_index, visit_id=r.visit_id, subject=r.subject, start=r.start, end=r.end,
        evidence=[EvidenceView.model_validate(e) for e in r.evidence], facts=dict(r.facts),
        explanation=r.explanation, evaluated_at=r.evaluated_at, status=status,
        verdict=status.value if status in FINAL_STATUSES else None,
    )  # fmt: skip


def search_findings(session: Session, filters: FindingFilter) -> list[FindingView]:
    rows = list(session.scalars(_query(filters).limit(filters.limit).offset(filters.offset)))
    statuses = review_statuses(session, [row.id for row in rows])
    return [finding_view(row, statuses.get(row.id, ReviewStatus.OPEN)) for row in rows]


class RulePrecision(BaseModel):
    ruleset: str
    rule_id: str
    findings: int
    confirmed: int
    dismissed: int
    precision: float | None = Field(description="confirmed / decided (final verdicts); null until one is final")


def rule_precision(session: Session) -> list[RulePrecision]:
    """Per rule (all versions of its rule set together), how often reviewers confirmed what it raised.

    Only final verdicts count as decided: a high-severity first verdict awaiting a senior reviewer,
    or an escalated finding, is not decided yet.
    """
    latest = select(VerdictRow.finding_id, func.max(VerdictRow.id).label("id")).group_by(VerdictRow.finding_id)
    newest = latest.subquery("latest")
    status = (
        select(VerdictRow.finding_id, VerdictRow.status).join(newest, newest.c.id == VerdictRow.id).subquery("status")
    )
    rows = session.execute(
        select(FindingRow.ruleset, FindingRow.rule_id, func.count(FindingRow.id),
               func.count(case((status.c.status == ReviewStatus.CONFIRMED.value, 1))),
               func.count(case((status.c.status == ReviewStatus.DISMISSED.value, 1))))
        .outerjoin(status, status.c.finding_id == FindingRow.id)
        .group_by(FindingRow.ruleset, FindingRow.rule_id)
        .order_by(FindingRow.ruleset, FindingRow.rule_id)
    )  # fmt: skip
    return [
        RulePrecision(ruleset=ruleset, rule_id=rule_id, findings=total, confirmed=yes, dismissed=no,
                      precision=round(yes / (yes + no), 4) if yes + no else None)
        for ruleset, rule_id, total, yes, no in rows
    ]  # fmt: skip
