"""Finding findings (CLI JSON and the API share these views), reviewers' verdicts and per-rule precision."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from seffaf.catalog.finding_tables import FindingRow, VerdictRow

VERDICTS = ("confirmed", "dismissed")


class FindingFilter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    rule: str | None = None
    ticket: str | None = None
    center: str | None = None
    window: int | None = Field(None, ge=1)
    operator: str | None = None
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
    verdict: str | None = Field(None, description="The latest reviewer verdict: confirmed | dismissed.")


def _query(filters: FindingFilter) -> Select[FindingRow]:
    query = select(FindingRow)
    for column, value in ((FindingRow.rule_id, filters.rule), (FindingRow.ticket, filters.ticket),
                          (FindingRow.center, filters.center), (FindingRow.window, filters.window),
                          (FindingRow.operator, filters.operator)):  # fmt: skip
        if value is not None:
            query = query.where(column == value)
    if filters.since is not None:
        query = query.where(FindingRow.end > filters.since)
    if filters.until is not None:
        query = query.where(FindingRow.start < filters.until)
    return query.order_by(FindingRow.start, FindingRow.id)


def latest_verdicts(session: Session, finding_ids: list[int]) -> dict[int, str]:
    latest = (
        select(VerdictRow.finding_id, func.max(VerdictRow.id).label("id"))
        .where(VerdictRow.finding_id.in_(finding_ids))
        .group_by(VerdictRow.finding_id)
        .subquery()
    )
    rows = session.execute(select(VerdictRow.finding_id, VerdictRow.verdict).join(latest, latest.c.id == VerdictRow.id))
    return {finding: verdict for finding, verdict in rows}


def search_findings(session: Session, filters: FindingFilter) -> list[FindingView]:
    rows = list(session.scalars(_query(filters).limit(filters.limit).offset(filters.offset)))
    verdicts = latest_verdicts(session, [row.id for row in rows])
    return [
        FindingView(
            id=r.id, rule_id=r.rule_id, ruleset=r.ruleset, ruleset_version=r.ruleset_version, principle=r.principle,
            severity=r.severity, title=r.title, center=r.center, window=r.window, operator=r.operator,
            ticket=r.ticket, leg_index=r.leg_index, visit_id=r.visit_id, subject=r.subject, start=r.start, end=r.end,
            evidence=[EvidenceView.model_validate(e) for e in r.evidence], facts=dict(r.facts),
            explanation=r.explanation, evaluated_at=r.evaluated_at, verdict=verdicts.get(r.id),
        )
        for r in rows
    ]  # fmt: skip


def record_verdict(session: Session, finding_id: int, verdict: str, reviewer: str, note: str, now: datetime) -> None:
    """Add a verdict; earlier verdicts on the finding stay on record."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict: {verdict!r} is not one of {', '.join(VERDICTS)}")
    if not reviewer.strip():
        raise ValueError("reviewer: a verdict must name its reviewer")
    if session.get(FindingRow, finding_id) is None:
        raise ValueError(f"finding: no finding with id {finding_id}")
    session.add(VerdictRow(finding_id=finding_id, verdict=verdict, reviewer=reviewer, note=note, decided_at=now))


class RulePrecision(BaseModel):
    ruleset: str
    rule_id: str
    findings: int
    confirmed: int
    dismissed: int
    precision: float | None = Field(description="confirmed / decided; null until a finding is decided")


def rule_precision(session: Session) -> list[RulePrecision]:
    """Per rule (all versions of its rule set together), how often reviewers confirmed what it raised."""
    findings = session.execute(
        select(FindingRow.ruleset, FindingRow.rule_id, FindingRow.id).order_by(FindingRow.ruleset, FindingRow.rule_id)
    ).all()
    verdicts = latest_verdicts(session, [row.id for row in findings])
    table: dict[tuple[str, str], list[int]] = {}
    for ruleset, rule_id, finding_id in findings:
        counts = table.setdefault((ruleset, rule_id), [0, 0, 0])
        counts[0] += 1
        verdict = verdicts.get(finding_id)
        if verdict == "confirmed":
            counts[1] += 1
        elif verdict == "dismissed":
            counts[2] += 1
    return [
        RulePrecision(ruleset=ruleset, rule_id=rule_id, findings=total, confirmed=yes, dismissed=no,
                      precision=round(yes / (yes + no), 4) if yes + no else None)
        for (ruleset, rule_id), (total, yes, no) in table.items()
    ]  # fmt: skip
