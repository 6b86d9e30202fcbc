"""The review workflow beside the verdicts: operators' replies to findings, and sampled sessions.

Like findings, these rows name a session by its identity (centre, date, ticket, leg), not by row
ids a session rebuild renumbers.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from seffaf.catalog.base import Base, UtcDateTime


class FindingReplyRow(Base):
    """The operator's reply to a finding, attached by a reviewer on the operator's behalf."""

    __tablename__ = "finding_replies"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id"), index=True)
    operator: Mapped[str | None] = mapped_column(String(64), doc="whose reply: the finding's operator")
    text: Mapped[str] = mapped_column(Text)
    attached_by: Mapped[str] = mapped_column(String(64))
    attached_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SampleRow(Base):
    """A session leg drawn at random for review, flagged or not; drawn once, reviewed once."""

    __tablename__ = "samples"
    __table_args__ = (
        Index("ix_samples_operator_start", "operator", "leg_start"),
        Index("ix_samples_center_start", "center", "leg_start"),
    )
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(200), unique=True)  # leg:<centre>/<date>/<ticket>/<leg>
    center: Mapped[str] = mapped_column(String(64))
    service_date: Mapped[date] = mapped_column(Date)
    ticket: Mapped[str] = mapped_column(String(64))
    leg_index: Mapped[int]
    window: Mapped[int]
    operator: Mapped[str] = mapped_column(String(64))
    visit_id: Mapped[int | None] = mapped_column(doc="the visit row when drawn; rebuilds renumber visits")
    leg_start: Mapped[datetime] = mapped_column(UtcDateTime())
    period_start: Mapped[datetime] = mapped_column(UtcDateTime())
    period_end: Mapped[datetime] = mapped_column(UtcDateTime())
    rate: Mapped[float]
    seed_id: Mapped[str] = mapped_column(String(16), doc="a fingerprint of the secret seed that drew it")
    drawn_at: Mapped[datetime] = mapped_column(UtcDateTime())
    drawn_by: Mapped[str] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    review_outcome: Mapped[str | None] = mapped_column(String(16))  # no_issue | concern
    review_note: Mapped[str | None] = mapped_column(Text)
