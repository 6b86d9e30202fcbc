"""Which visits a search asks for: the filters reviewers and scripts use, as one SQL query."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, Select, and_, exists, or_, select

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


def _finding_keys(filters: SessionFilter) -> Select[str, date, str | None] | None:
    """The visit keys (centre, date, ticket) of the findings asked for.

    A finding carries its visit's key, so the visit filters on the key narrow the findings too: the
    database starts from the (few) findings and looks their visits up by key, instead of testing every
    visit of the date range for a finding.
    """
    if filters.finding_rule is None and filters.finding_severity is None and filters.finding_status is None:
        return None
    query = select(FindingRow.center, FindingRow.service_date, FindingRow.ticket)
    for column, value in ((FindingRow.rule_id, filters.finding_rule), (FindingRow.severity, filters.finding_severity),
                          (FindingRow.ticket, filters.ticket), (FindingRow.center, filters.center)):  # fmt: skip
        if value is not None:
            query = query.where(column == value)
    if filters.date_from is not None:
        query = query.where(FindingRow.service_date >= filters.date_from)
    if filters.date_to is not None:
        query = query.where(FindingRow.service_date <= filters.date_to)
    if filters.scope_centers is not None:
        query = query.where(FindingRow.center.in_(sorted(filters.scope_centers)))
    if filters.finding_status is not None:
        latest = (
            select(VerdictRow.status)  # the finding's review status after its latest verdict
            .where(VerdictRow.finding_id == FindingRow.id)
            .order_by(VerdictRow.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        decided = exists().where(VerdictRow.finding_id == FindingRow.id)
        query = query.where(~decided if filters.finding_status == "open" else latest == filters.finding_status)
    return query


def _called_between(filters: SessionFilter) -> list[ColumnElement[bool]]:
    """The call times a leg of a visit in the date range can have: the local dates, a day either side (any zone)."""
    bounds: list[ColumnElement[bool]] = []
    if filters.date_from is not None:
        bounds.append(LegRow.called_at >= datetime.combine(filters.date_from - timedelta(days=1), time(), UTC))
    if filters.date_to is not None:
        bounds.append(LegRow.called_at < datetime.combine(filters.date_to + timedelta(days=2), time(), UTC))
    return [or_(LegRow.called_at.is_(None), and_(*bounds))] if bounds else []  # walk-ins are never called


def _leg_condition(filters: SessionFilter) -> ColumnElement[bool] | None:
    conditions: list[ColumnElement[bool]] = []
    if filters.window is not None:
        conditions.append(LegRow.window == filters.window)
    if filters.operator is not None:
        conditions.append(LegRow.operator == filters.operator)
    if filters.coverage_below_full:
        conditions.append(or_(LegRow.coverage.is_(None), LegRow.coverage < FULL_COVERAGE))
    if not conditions:
        return None
    if filters.operator is not None:
        # An operator's legs in the date range are few (index on operator, call time): those first, then their visits.
        return VisitRow.id.in_(select(LegRow.visit_id).where(*conditions, *_called_between(filters)))
    # Otherwise the visit filters (centre, dates) narrow first and each visit's legs are looked at; the
    # legs of one window, or those not fully on camera, are far too many to list first.
    return exists().where(LegRow.visit_id == VisitRow.id, *conditions)


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
        # A join, not IN (subquery): with the IN, SQLite started from the scope's centres instead of
        # the one or two visits an application id names.
        query = query.join(VisitApplicationRow, VisitApplicationRow.visit_id == VisitRow.id).where(
            VisitApplicationRow.application_id == filters.application
        )
    legs = _leg_condition(filters)
    if legs is not None:
        query = query.where(legs)
    if filters.hidden_operators:
        hidden = exists().where(
            and_(LegRow.visit_id == VisitRow.id, LegRow.operator.in_(sorted(filters.hidden_operators)))
        )
        query = query.where(~hidden)
    findings = _finding_keys(filters)
    if findings is not None:
        # A join on the distinct keys, not a tuple IN: PostgreSQL turns the IN into a semi join that
        # tests every visit of the date range against the findings; the join looks visits up by key.
        keys = findings.distinct().subquery()
        query = query.join(
            keys,
            and_(VisitRow.center == keys.c.center, VisitRow.service_date == keys.c.service_date,
                 VisitRow.ticket == keys.c.ticket),
        )  # fmt: skip
    return query.order_by(VisitRow.service_date, VisitRow.issued_at, VisitRow.id)
