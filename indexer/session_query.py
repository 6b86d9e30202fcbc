"""Which visits a search asks for: the filters reviewers and scripts use, as one SQL query."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select, and_, exists, or_, select

from seffaf.catalog.finding_tables import FindingRow, VerdictRow
from seffaf.catalog.session_tables import LegRow, VisitApplicationRow, VisitRow

FULL_COVERAGE = 0.999  # below this a leg counts as not fully on camera (float sums of seconds)


class SessionFilter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    ticket: str | None = None
    application: str | None = None
    center: str | None = None
    window: int | None = Field(None, ge=1)
    operator: str | None = None
    service: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    finding_rule: str | None = None
    finding_severity: Literal["low", "medium", "high"] | None = None
    finding_status: Literal["open", "confirmed", "dismissed"] | None = Field(
        None, description="open: no verdict yet; otherwise the latest verdict"
    )
    coverage_below_full: bool = False
    # The caller's scope, applied in the query so counts and pages stay right.
    scope_centers: frozenset[str] | None = Field(None, description="None: every centre")
    hidden_operators: frozenset[str] = frozenset()
    limit: int = Field(100, ge=1, le=10_000)
    offset: int = Field(0, ge=0)


def _finding_condition(filters: SessionFilter) -> Select[int] | None:
    if filters.finding_rule is None and filters.finding_severity is None and filters.finding_status is None:
        return None
    query = select(FindingRow.id).where(
        FindingRow.center == VisitRow.center,
        FindingRow.service_date == VisitRow.service_date,
        FindingRow.ticket == VisitRow.ticket,
    )
    if filters.finding_rule is not None:
        query = query.where(FindingRow.rule_id == filters.finding_rule)
    if filters.finding_severity is not None:
        query = query.where(FindingRow.severity == filters.finding_severity)
    if filters.finding_status is not None:
        latest = (
            select(VerdictRow.verdict)
            .where(VerdictRow.finding_id == FindingRow.id)
            .order_by(VerdictRow.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        decided = exists().where(VerdictRow.finding_id == FindingRow.id)
        query = query.where(~decided if filters.finding_status == "open" else latest == filters.finding_status)
    return query


def visit_query(filters: SessionFilter) -> Select[VisitRow]:
    query = select(VisitRow)
    for column, value in ((VisitRow.ticket, filters.ticket), (VisitRow.center, filters.center),
                          (VisitRow.service, filters.service)):  # fmt: skip
        if value is not None:
            query = query.where(column == value)
    if filters.date_from is not None:
        query = query.where(VisitRow.service_date >= filters.date_from)
    if filters.date_to is not None:
        query = query.where(VisitRow.service_date <= filters.date_to)
    if filters.scope_centers is not None:
        query = query.where(VisitRow.center.in_(sorted(filters.scope_centers)))
    if filters.application is not None:
        applications = select(VisitApplicationRow.visit_id).where(
            VisitApplicationRow.application_id == filters.application
        )
        query = query.where(VisitRow.id.in_(applications))
    if filters.window is not None or filters.operator is not None or filters.coverage_below_full:
        legs = select(LegRow.visit_id)
        if filters.window is not None:
            legs = legs.where(LegRow.window == filters.window)
        if filters.operator is not None:
            legs = legs.where(LegRow.operator == filters.operator)
        if filters.coverage_below_full:
            legs = legs.where(or_(LegRow.coverage.is_(None), LegRow.coverage < FULL_COVERAGE))
        query = query.where(VisitRow.id.in_(legs))
    if filters.hidden_operators:
        hidden = exists().where(
            and_(LegRow.visit_id == VisitRow.id, LegRow.operator.in_(sorted(filters.hidden_operators)))
        )
        query = query.where(~hidden)
    finding = _finding_condition(filters)
    if finding is not None:
        query = query.where(finding.exists())
    return query.order_by(VisitRow.service_date, VisitRow.issued_at, VisitRow.id)
