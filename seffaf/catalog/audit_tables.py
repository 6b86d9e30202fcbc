"""The append-only audit trail: who did what to which object, each row hash-chained to the one before."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from seffaf.catalog.base import Base, UtcDateTime

# What an audit row's detail may hold: JSON scalars and lists of strings, nothing that needs a decoder.
DetailValue = str | int | float | bool | list[str] | None


class AuditRow(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_actor_at", "actor", "at"), Index("ix_audit_log_action_at", "action", "at"))
    # Assigned as head + 1 under a lock, not by a sequence: ids run without holes, so a
    # deleted row shows as a missing number (a rolled-back sequence value would not).
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    object_type: Mapped[str | None] = mapped_column(String(32))
    object_id: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, DetailValue]] = mapped_column(JSON, default=dict)
    outcome: Mapped[str] = mapped_column(String(16))
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True, doc="unique: two rows cannot follow one head")
    hash: Mapped[str] = mapped_column(String(64), unique=True)
