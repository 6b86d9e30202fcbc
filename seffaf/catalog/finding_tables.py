"""Findings the ethics rules raised, what was evaluated with which rule set, reviewers' verdicts.

A finding is provenance: it names the rule, the rule set and its version, and copies the
session's identity (centre, date, ticket, leg) rather than pointing at rows a session rebuild
replaces. It is never rewritten; a new rule-set version adds its own findings.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from seffaf.catalog.base import Base, UtcDateTime


class FindingRow(Base):
    __tablename__ = "findings"
    __table_args__ = (
        UniqueConstraint("ruleset", "ruleset_version", "rule_id", "subject", name="uq_findings_provenance"),
        Index("ix_findings_center_time", "center", "start"),
        Index("ix_findings_visit_key", "center", "service_date", "ticket"),
        Index("ix_findings_rule_date", "rule_id", "service_date"),  # a rule's findings over a period
    )
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    # leg:<centre>/<date>/<ticket>/<leg> or idle:<centre>/<window>/<start>
    subject: Mapped[str] = mapped_column(String(200))
    rule_id: Mapped[str] = mapped_column(String(64))
    ruleset: Mapped[str] = mapped_column(String(64))
    ruleset_version: Mapped[str] = mapped_column(String(16))
    principle: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(120))
    center: Mapped[str] = mapped_column(String(64))
    service_date: Mapped[date] = mapped_column(Date)
    window: Mapped[int]
    operator: Mapped[str | None] = mapped_column(String(64), index=True)
    ticket: Mapped[str | None] = mapped_column(String(64), index=True)
    leg_index: Mapped[int | None]
    visit_id: Mapped[int | None] = mapped_column(doc="the visit row at evaluation time; rebuilds renumber visits")
    start: Mapped[datetime] = mapped_column(UtcDateTime())
    end: Mapped[datetime] = mapped_column(UtcDateTime())
    evidence: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    facts: Mapped[dict[str, float | int | bool | str]] = mapped_column(JSON, default=dict)
    explanation: Mapped[str] = mapped_column(Text)
    evaluated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class EvaluationRow(Base):
    """A subject evaluated with a rule-set version, whether or not anything fired."""

    __tablename__ = "evaluations"
    __table_args__ = (UniqueConstraint("subject", "ruleset", "ruleset_version", name="uq_evaluations_subject"),)
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(200))
    ruleset: Mapped[str] = mapped_column(String(64))
    ruleset_version: Mapped[str] = mapped_column(String(16))
    findings: Mapped[int]
    evaluated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class VerdictRow(Base):
    """A reviewer's judgement of a finding, never rewritten; the latest one's status is the finding's.

    `status` is where the review stood after this verdict (policies/verdict_flow.py): a high-severity
    confirmation is `awaiting_senior` until a senior reviewer's second verdict makes it final.
    """

    __tablename__ = "verdicts"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    verdict: Mapped[str] = mapped_column(String(16))  # confirmed | dismissed | escalate
    status: Mapped[str] = mapped_column(String(16))  # escalated | awaiting_senior | confirmed | dismissed
    reviewer: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime())
