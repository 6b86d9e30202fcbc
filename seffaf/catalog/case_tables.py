"""Complaints, the cases they become, the sessions a case holds, legal holds on footage, exports.

A case names its sessions by their identity (centre, date, ticket), not by visit row ids, which a
session rebuild renumbers; holds name segments by object key, the store's own identity.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from seffaf.catalog.base import Base, UtcDateTime


class ComplaintRow(Base):
    """What a citizen reported, with no more personal data than a reference to the complainant."""

    __tablename__ = "complaints"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True, doc="the complainant reference")
    received_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(32))
    center: Mapped[str] = mapped_column(String(64), index=True)
    window: Mapped[int | None]
    approx_from: Mapped[datetime | None] = mapped_column(UtcDateTime())
    approx_to: Mapped[datetime | None] = mapped_column(UtcDateTime())
    ticket: Mapped[str | None] = mapped_column(String(64))
    application_id: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CaseRow(Base):
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), doc="open | under_review | closed")
    outcome: Mapped[str | None] = mapped_column(String(32))
    close_reason: Mapped[str | None] = mapped_column(Text)
    opened_by: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class CaseSessionRow(Base):
    """A session confirmed into a case, by its identity."""

    __tablename__ = "case_sessions"
    __table_args__ = (
        UniqueConstraint("case_id", "center", "service_date", "ticket", name="uq_case_sessions_visit"),
        Index("ix_case_sessions_visit_key", "center", "service_date", "ticket"),
    )
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    center: Mapped[str] = mapped_column(String(64))
    service_date: Mapped[date] = mapped_column(Date)
    ticket: Mapped[str] = mapped_column(String(64))
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CaseNoteRow(Base):
    __tablename__ = "case_notes"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    text: Mapped[str] = mapped_column(Text)


class HoldRow(Base):
    """A legal hold on one stored segment for one case; released only when the case closes."""

    __tablename__ = "holds"
    __table_args__ = (UniqueConstraint("case_id", "segment_key", name="uq_holds_case_segment"),)
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    segment_key: Mapped[str] = mapped_column(String(300), index=True)
    camera: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int]
    placed_by: Mapped[str] = mapped_column(String(64))
    placed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    store_hold: Mapped[bool] = mapped_column(default=False, doc="an S3 object legal hold was set too")
    released_by: Mapped[str | None] = mapped_column(String(64))
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    release_reason: Mapped[str | None] = mapped_column(Text)


class ExportRow(Base):
    """An evidence package made for a case: what was handed over, by whom, with which hashes."""

    __tablename__ = "exports"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(200))
    package_sha256: Mapped[str] = mapped_column(String(64))
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    redacted: Mapped[bool]
    reason: Mapped[str | None] = mapped_column(Text, doc="stated for an unredacted export")
    exported_by: Mapped[str] = mapped_column(String(64))
    exported_at: Mapped[datetime] = mapped_column(UtcDateTime())
