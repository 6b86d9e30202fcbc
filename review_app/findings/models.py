"""What the findings API answers and accepts (the pages render the same models)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from policies.finding_views import FindingView
from policies.verdict_flow import Decision, ReviewStatus

StatusFilter = Literal["pending", "open", "escalated", "awaiting_senior", "confirmed", "dismissed"]
SeverityFilter = Literal["low", "medium", "high"]
SampleOutcome = Literal["no_issue", "concern"]


class QueueItem(BaseModel):
    id: int
    rule_id: str
    title: str
    principle: str
    severity: str
    status: ReviewStatus
    center: str
    window: int
    operator: str | None
    ticket: str | None
    service_date: date
    start: datetime
    end: datetime
    explanation: str


class QueuePage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[QueueItem]


class VerdictView(BaseModel):
    id: int
    verdict: Decision
    status: ReviewStatus = Field(description="The review status this verdict led to.")
    reviewer: str
    comment: str
    decided_at: datetime


class ReplyView(BaseModel):
    id: int
    operator: str | None = Field(description="Whose reply it is: the finding's operator.")
    text: str
    attached_by: str = Field(description="The reviewer who attached it on the operator's behalf.")
    attached_at: datetime


class EvidenceLink(BaseModel):
    start: datetime
    end: datetime
    kind: str
    player_url: str | None = Field(description="The leg's player, the finding named as the reason to watch.")


class FindingDetail(BaseModel):
    finding: FindingView
    final: bool
    session_id: int | None = Field(description="The session (visit) the finding is on, as now numbered.")
    player_url: str | None
    evidence: list[EvidenceLink]
    verdicts: list[VerdictView] = Field(description="Oldest first; none is ever rewritten.")
    replies: list[ReplyView]
    allowed_decisions: list[Decision] = Field(description="What the requesting user may decide now.")
    may_reply: bool
    next_step: str


class VerdictIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    verdict: Decision
    comment: str = Field(min_length=1, max_length=4000, description="Why: kept with the verdict and audited.")


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=8000, description="The operator's reply, as the operator gave it.")


class VerdictResult(BaseModel):
    finding_id: int
    verdict_id: int
    status: ReviewStatus
    final: bool


class SampleView(BaseModel):
    id: int
    center: str
    service_date: date
    ticket: str
    leg_index: int
    window: int
    operator: str
    leg_start: datetime
    period_start: datetime
    period_end: datetime
    session_id: int | None
    player_url: str | None
    reviewed_at: datetime | None
    reviewed_by: str | None
    review_outcome: str | None
    review_note: str | None


class SamplePage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[SampleView]


class SampleReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: SampleOutcome
    note: str = Field("", max_length=4000)


class PrincipleCounts(BaseModel):
    principle: str
    findings: int
    confirmed: int
    dismissed: int
    pending: int


class Scorecard(BaseModel):
    operator: str
    date_from: date
    date_to: date
    centers: list[str] = Field(description="The centres counted: where the operator served, within your scope.")
    sessions: int = Field(description="Session legs the operator served (no-shows and cancellations left out).")
    findings: int
    per_principle: list[PrincipleCounts]
    confirmed: int
    decided: int = Field(description="Findings with a final verdict.")
    confirmed_rate: float | None = Field(description="confirmed / decided; null until one is decided")
    sampled: int
    sampled_reviewed: int
