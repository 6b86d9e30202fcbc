"""Footage in the catalog: segments and gaps found in the store, and their links to session legs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from seffaf.catalog.base import Base, UtcDateTime


class SegmentRow(Base):
    __tablename__ = "segments"
    __table_args__ = (
        UniqueConstraint("camera", "seq", name="uq_segments_camera_seq"),
        Index("ix_segments_camera_time", "camera", "start", "end"),
    )
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    camera: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int]
    center: Mapped[str | None] = mapped_column(String(64))
    window: Mapped[int | None]
    start: Mapped[datetime] = mapped_column(UtcDateTime())
    end: Mapped[datetime] = mapped_column(UtcDateTime())
    duration_s: Mapped[float]
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    prev_sha256: Mapped[str | None] = mapped_column(String(64))
    audio_status: Mapped[str] = mapped_column(String(16))
    recovered: Mapped[bool] = mapped_column(default=False)
    # Set by a verify_segment job: the stored bytes hashed again and compared with the manifest.
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    verified_ok: Mapped[bool | None]


class GapRow(Base):
    __tablename__ = "gaps"
    __table_args__ = (Index("ix_gaps_camera_time", "camera", "start", "end"),)
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    camera: Mapped[str] = mapped_column(String(64))
    after_seq: Mapped[int]
    start: Mapped[datetime] = mapped_column(UtcDateTime())
    end: Mapped[datetime] = mapped_column(UtcDateTime())
    cause: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(500))


class IndexWatermarkRow(Base):
    """The last manifest key processed under a store prefix: discovery lists only what follows."""

    __tablename__ = "index_watermarks"
    prefix: Mapped[str] = mapped_column(String(300), primary_key=True)
    last_key: Mapped[str] = mapped_column(String(300))
