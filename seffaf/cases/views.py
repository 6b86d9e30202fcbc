"""Complaints, proposals and cases as the API, the pages and `seffaf cases --json` show them."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from policies.finding_views import FindingView
from seffaf.cases.states import CaseStatus, Outcome


class ComplaintView(BaseModel):
    id: int
    reference: str
    received_on: date
    channel: str
    center: str
    window: int | None
    service_date: date | None = Field(description="The visit's day at the centre, when the complaint gave one.")
    approx_from: datetime | None
    approx_to: datetime | None
    ticket: str | None
    application_id: str | None
    description: str
    created_by: str
    created_at: datetime
    case_id: int | None = Field(description="The case the complaint became, once opened.")


class ProposalView(BaseModel):
    visit_id: int
    center: str
    service_date: date
    ticket: str
    score: int
    exact: bool = Field(description="Named by the ticket on the day at the centre, or by an application id.")
    why: list[str]


class ProposalList(BaseModel):
    complaint: ComplaintView
    proposals: list[ProposalView]


class CaseSessionView(BaseModel):
    """A session of the case, by identity; visit_id is its current row (null if a rebuild dropped it)."""

    center: str
    service_date: date
    ticket: str
    visit_id: int | None
    windows: list[int]
    operators: list[str]
    first_call: datetime | None
    last_end: datetime | None
    added_by: str
    added_at: datetime


class NoteView(BaseModel):
    id: int
    author: str
    at: datetime
    text: str


class ExportView(BaseModel):
    id: int
    file_name: str
    package_sha256: str
    manifest_sha256: str
    redacted: bool
    reason: str | None
    exported_by: str
    exported_at: datetime


class HoldsView(BaseModel):
    active: int = Field(description="Segments held for this case now.")
    released: int
    store_held: int = Field(description="Active holds also set as object legal holds in the store.")
    runs: list[str] = Field(description="The held segments as camera:first-last sequence runs.")


class CaseSummary(BaseModel):
    id: int
    complaint_id: int | None
    complaint_reference: str | None
    center: str | None
    status: CaseStatus
    outcome: Outcome | None
    opened_by: str
    opened_at: datetime
    closed_at: datetime | None
    sessions: int
    active_holds: int


class CaseDetail(BaseModel):
    id: int
    status: CaseStatus
    outcome: Outcome | None
    close_reason: str | None
    opened_by: str
    opened_at: datetime
    closed_by: str | None
    closed_at: datetime | None
    complaint: ComplaintView | None
    sessions: list[CaseSessionView]
    findings: list[FindingView]
    notes: list[NoteView]
    exports: list[ExportView]
    holds: HoldsView


class CasePage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[CaseSummary]


class ClosedCase(BaseModel):
    id: int
    status: CaseStatus
    outcome: Outcome
    reason: str
    holds_released: int
    store_holds_lifted: int


class CaseVisitRef(BaseModel):
    center: str
    service_date: date
    ticket: str
    visit_id: int | None = Field(description="The visit's current row id; null if the session is gone.")


class CaseExportScope(BaseModel):
    """What an evidence export of a case covers (seffaf/evidence reads it through case_export_scope)."""

    case_id: int
    complaint_reference: str | None
    status: CaseStatus
    visits: list[CaseVisitRef]
