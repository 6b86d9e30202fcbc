"""Random review samples in the catalog: drawing a period's sample (policies/sampling.py), listing, reviewing.

A sampled leg is named by its identity (centre, date, ticket, leg) like a finding, so a session
rebuild does not lose it; its row is written once when drawn and once more when reviewed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from policies.sampling import Candidate, draw, seed_id
from policies.subjects import leg_key
from review_app.audit.entries import AuditAction
from review_app.audit.log import AuditLog
from review_app.findings.detail import current_visit, player_url
from review_app.findings.models import SampleOutcome, SampleView
from review_app.findings.scope import Scope
from review_app.findings.scorecard import UNSERVED
from seffaf.catalog.review_tables import SampleRow
from seffaf.catalog.session_tables import LegRow, VisitRow
from seffaf.clock import Clock


class SampleFilter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    center: str | None = None
    operator: str | None = None
    reviewed: bool | None = Field(None, description="None: both; the unreviewed come first anyway")
    date_from: date | None = None
    date_to: date | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


@dataclass(frozen=True)
class LegOnRecord:
    subject: str
    center: str
    service_date: date
    ticket: str
    leg_index: int
    window: int
    operator: str
    visit_id: int
    start: datetime


@dataclass(frozen=True)
class DrawReport:
    legs: int  # ended, served legs with an operator in the period
    operators: int
    drawn: int
    new: int  # not drawn before (a second draw of a period adds nothing)


def served_legs(session: Session, since: datetime, until: datetime) -> list[LegOnRecord]:
    start = func.coalesce(LegRow.called_at, LegRow.started_at)
    rows = session.execute(
        select(LegRow, VisitRow.service_date, VisitRow.ticket, start)
        .join(VisitRow, VisitRow.id == LegRow.visit_id)
        .where(LegRow.operator.is_not(None), LegRow.ended_at.is_not(None), LegRow.outcome.not_in(UNSERVED),
               start >= since, start < until)
    )  # fmt: skip
    return [
        LegOnRecord(subject=leg_key(leg.center, day, ticket, leg.idx), center=leg.center, service_date=day,
                    ticket=ticket, leg_index=leg.idx, window=leg.window, operator=leg.operator or "",
                    visit_id=leg.visit_id, start=began)
        for leg, day, ticket, began in rows
    ]  # fmt: skip


def draw_samples(session: Session, since: datetime, until: datetime, seed: bytes, rate: float,
                 min_per_operator: int, drawn_by: str, clock: Clock) -> DrawReport:  # fmt: skip
    """Draw the period's sample per operator and keep the legs not drawn before."""
    legs = {leg.subject: leg for leg in served_legs(session, since, until)}
    chosen = draw([Candidate(leg.subject, leg.operator) for leg in legs.values()], seed, rate, min_per_operator)
    subjects = [c.subject for c in chosen]
    known = set(session.scalars(select(SampleRow.subject).where(SampleRow.subject.in_(subjects))))
    now, fingerprint = clock(), seed_id(seed)
    fresh = [legs[subject] for subject in subjects if subject not in known]
    session.add_all(
        SampleRow(subject=leg.subject, center=leg.center, service_date=leg.service_date, ticket=leg.ticket,
                  leg_index=leg.leg_index, window=leg.window, operator=leg.operator, visit_id=leg.visit_id,
                  leg_start=leg.start, period_start=since, period_end=until, rate=rate, seed_id=fingerprint,
                  drawn_at=now, drawn_by=drawn_by)
        for leg in fresh
    )  # fmt: skip
    operators = len({leg.operator for leg in legs.values()})
    return DrawReport(legs=len(legs), operators=operators, drawn=len(chosen), new=len(fresh))


def _query(filters: SampleFilter, scope: Scope) -> Select[SampleRow]:
    query = select(SampleRow)
    for column, value in ((SampleRow.center, filters.center), (SampleRow.operator, filters.operator)):
        if value is not None:
            query = query.where(column == value)
    if filters.reviewed is not None:
        query = query.where(SampleRow.reviewed_at.is_not(None) if filters.reviewed else SampleRow.reviewed_at.is_(None))
    if filters.date_from is not None:
        query = query.where(SampleRow.service_date >= filters.date_from)
    if filters.date_to is not None:
        query = query.where(SampleRow.service_date <= filters.date_to)
    if scope.centers is not None:
        query = query.where(SampleRow.center.in_(sorted(scope.centers)))
    if scope.hidden_operators:
        query = query.where(SampleRow.operator.not_in(sorted(scope.hidden_operators)))
    return query


def count_samples(session: Session, filters: SampleFilter, scope: Scope) -> int:
    return session.scalar(select(func.count()).select_from(_query(filters, scope).subquery())) or 0


def list_samples(session: Session, filters: SampleFilter, scope: Scope) -> list[SampleView]:
    """The reviewer's sample queue: unreviewed first, then the oldest leg first."""
    unreviewed_first = SampleRow.reviewed_at.is_not(None)  # False sorts before True
    query = _query(filters, scope).order_by(unreviewed_first, SampleRow.leg_start, SampleRow.id)
    return [sample_view(session, row) for row in session.scalars(query.limit(filters.limit).offset(filters.offset))]


def sample_view(session: Session, row: SampleRow) -> SampleView:
    visit_id = current_visit(session, row.center, row.service_date, row.ticket)
    return SampleView(
        id=row.id, center=row.center, service_date=row.service_date, ticket=row.ticket, leg_index=row.leg_index,
        window=row.window, operator=row.operator, leg_start=row.leg_start, period_start=row.period_start,
        period_end=row.period_end, session_id=visit_id,
        player_url=player_url(visit_id, row.leg_index, f"sampled session #{row.id}"), reviewed_at=row.reviewed_at,
        reviewed_by=row.reviewed_by, review_outcome=row.review_outcome, review_note=row.review_note,
    )  # fmt: skip


class SampleAlreadyReviewed(Exception):
    """A sample is reviewed once; the review stays as given."""


def review_sample(session: Session, row: SampleRow, reviewer: str, outcome: SampleOutcome, note: str,
                  clock: Clock) -> None:  # fmt: skip
    """Mark a sampled leg reviewed, once (a conditional UPDATE: of two at once, one wins); audited as `verdict`."""
    marked = session.execute(
        update(SampleRow).where(SampleRow.id == row.id, SampleRow.reviewed_at.is_(None))
        .values(reviewed_at=clock(), reviewed_by=reviewer, review_outcome=outcome, review_note=note)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    if getattr(marked, "rowcount", 0) != 1:
        raise SampleAlreadyReviewed(f"sample {row.id} was reviewed already")
    session.refresh(row)
    AuditLog(session, clock).append(AuditAction.VERDICT, actor=reviewer, object_type="sample", object_id=str(row.id),
                                    reason=note or None, detail={"outcome": outcome, "operator": row.operator,
                                                                 "subject": row.subject})  # fmt: skip
