"""Service sessions derived from queue events: visits, their legs, operator shifts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from seffaf.catalog.base import Base, UtcDateTime


class VisitRow(Base):
    __tablename__ = "visits"
    __table_args__ = (
        UniqueConstraint("center", "service_date", "ticket", name="uq_visits_key"),
        # Reviewers search a ticket on a day across centres: the key's index starts with the centre.
        Index("ix_visits_ticket_date", "ticket", "service_date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    center: Mapped[str] = mapped_column(String(64))
    service_date: Mapped[date] = mapped_column(Date, index=True)
    ticket: Mapped[str] = mapped_column(String(64))
    walk_in: Mapped[bool] = mapped_column(default=False)
    service: Mapped[str | None] = mapped_column(String(64))
    priority: Mapped[int | None]
    issued_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    outcome: Mapped[str] = mapped_column(String(16), index=True)
    application_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    anomalies: Mapped[list[str]] = mapped_column(JSON, default=list)
    legs: Mapped[list[LegRow]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="LegRow.idx", lazy="selectin"
    )


class LegRow(Base):
    __tablename__ = "legs"
    __table_args__ = (
        Index("ix_legs_window_time", "center", "window", "called_at"),
        Index("ix_legs_operator_time", "operator", "called_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    idx: Mapped[int]
    center: Mapped[str] = mapped_column(String(64))
    window: Mapped[int]
    operator: Mapped[str | None] = mapped_column(String(64))
    operator_source: Mapped[str] = mapped_column(String(8))
    called_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    outcome: Mapped[str] = mapped_column(String(16))
    service: Mapped[str | None] = mapped_column(String(64))
    application_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    recalls: Mapped[int] = mapped_column(default=0)
    transferred_to: Mapped[int | None]
    anomalies: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Filled by the indexer; NULL linked_at means "(re)link me" (new leg, or new footage arrived).
    # The linked footage is a run of the camera's segments, first_seq..last_seq: the leg starts
    # in_offset_s into the first and ends out_offset_s into the last (padding included).
    coverage: Mapped[float | None]
    holes: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)
    camera: Mapped[str | None] = mapped_column(String(64))
    first_seq: Mapped[int | None]
    last_seq: Mapped[int | None]
    in_offset_s: Mapped[float | None]
    out_offset_s: Mapped[float | None]
    linked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    visit: Mapped[VisitRow] = relationship(back_populates="legs")


class VisitApplicationRow(Base):
    """Search by application id: one row per (visit, application id)."""

    __tablename__ = "visit_applications"
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class ShiftRow(Base):
    __tablename__ = "operator_shifts"
    __table_args__ = (Index("ix_shifts_window_time", "center", "window", "login_at"),)
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    center: Mapped[str] = mapped_column(String(64))
    service_date: Mapped[date] = mapped_column(Date)
    window: Mapped[int]
    operator: Mapped[str] = mapped_column(String(64), index=True)
    login_at: Mapped[datetime] = mapped_column(UtcDateTime())
    logout_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    anomalies: Mapped[list[str]] = mapped_column(JSON, default=list)
