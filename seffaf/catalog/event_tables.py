"""Queue events as received: accepted (unique per source and id), conflicting, rejected."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from seffaf.catalog.base import Base, UtcDateTime


class SourceSystemRow(Base):
    """A queue system allowed to post events; its API key is stored only as a hash."""

    __tablename__ = "source_systems"
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    api_key_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    clock_offset_s: Mapped[float] = mapped_column(default=0.0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    disabled: Mapped[bool] = mapped_column(default=False)


class QueueEventRow(Base):
    __tablename__ = "queue_events"
    __table_args__ = (
        UniqueConstraint("source", "event_id", name="uq_queue_events_source_event"),
        Index("ix_queue_events_visit", "center", "service_date", "ticket"),
    )
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(128))
    event_id: Mapped[str] = mapped_column(String(128))
    type: Mapped[str] = mapped_column(String(32))
    center: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
    service_date: Mapped[date] = mapped_column(Date)
    ticket: Mapped[str | None] = mapped_column(String(32))
    service: Mapped[str | None] = mapped_column(String(64))
    priority: Mapped[int | None]
    window: Mapped[int | None]
    operator: Mapped[str | None] = mapped_column(String(64))
    application_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    to_window: Mapped[int | None]
    to_service: Mapped[str | None] = mapped_column(String(64))
    content_sha256: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())


class EventConflictRow(Base):
    """Same (source, event_id) as an accepted event, different content: kept, never applied."""

    __tablename__ = "event_conflicts"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(128), index=True)
    event_id: Mapped[str] = mapped_column(String(128))
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RejectedEventRow(Base):
    """A row that could not be accepted, with the reason naming the field; nothing is lost."""

    __tablename__ = "rejected_events"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(128), index=True)
    origin: Mapped[str] = mapped_column(String(500), doc="file:line, or the HTTP batch")
    payload: Mapped[str] = mapped_column(Text)
    field: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
