"""The review queue: findings in the caller's scope, most severe first, then oldest first, as one SQL query."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.orm import Session

from policies.finding_views import review_status_column
from policies.verdict_flow import PENDING_STATUSES, ReviewStatus
from review_app.findings.models import QueueItem, SeverityFilter, StatusFilter
from review_app.findings.scope import Scope
from seffaf.catalog.finding_tables import FindingRow

SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}


class QueueFilter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    status: StatusFilter | None = Field(None, description="pending: open, escalated or awaiting a senior")
    severity: SeverityFilter | None = None
    rule: str | None = None
    center: str | None = None
    operator: str | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


def _severity_rank() -> ColumnElement[int]:
    return case(SEVERITY_RANK, value=FindingRow.severity, else_=len(SEVERITY_RANK))


def _statuses(wanted: StatusFilter) -> list[str]:
    if wanted == "pending":
        return sorted(PENDING_STATUSES)
    return [ReviewStatus(wanted).value]


def _where(query: Select[FindingRow, str], filters: QueueFilter, scope: Scope,
           status: ColumnElement[str]) -> Select[FindingRow, str]:  # fmt: skip
    for column, value in ((FindingRow.severity, filters.severity), (FindingRow.rule_id, filters.rule),
                          (FindingRow.center, filters.center), (FindingRow.operator, filters.operator)):  # fmt: skip
        if value is not None:
            query = query.where(column == value)
    if scope.centers is not None:
        query = query.where(FindingRow.center.in_(sorted(scope.centers)))
    if scope.hidden_operators:
        hidden = sorted(scope.hidden_operators)
        query = query.where(or_(FindingRow.operator.is_(None), FindingRow.operator.not_in(hidden)))
    if filters.status is not None:
        query = query.where(status.in_(_statuses(filters.status)))
    return query


def queue_query(filters: QueueFilter, scope: Scope) -> Select[FindingRow, str]:
    status = review_status_column()
    query = _where(select(FindingRow, status), filters, scope, status)
    return query.order_by(_severity_rank(), FindingRow.start, FindingRow.id)


def count_queue(session: Session, filters: QueueFilter, scope: Scope) -> int:
    status = review_status_column()
    inner = _where(select(FindingRow, status), filters, scope, status).subquery()
    return session.scalar(select(func.count()).select_from(inner)) or 0


def list_queue(session: Session, filters: QueueFilter, scope: Scope) -> list[QueueItem]:
    rows = session.execute(queue_query(filters, scope).limit(filters.limit).offset(filters.offset))
    return [
        QueueItem(id=f.id, rule_id=f.rule_id, title=f.title, principle=f.principle, severity=f.severity,
                  status=ReviewStatus(status), center=f.center, window=f.window, operator=f.operator,
                  ticket=f.ticket, service_date=f.service_date, start=f.start, end=f.end,
                  explanation=f.explanation)
        for f, status in rows
    ]  # fmt: skip
