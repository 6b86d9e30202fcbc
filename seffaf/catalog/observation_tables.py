"""What the analytics saw in each segment (camera integrity, presence, audio)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from seffaf.catalog.base import Base, UtcDateTime


class ObservationRow(Base):
    __tablename__ = "observations"
    __table_args__ = (Index("ix_observations_camera_kind_time", "camera", "kind", "start"),)
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    segment_key: Mapped[str] = mapped_column(String(300), index=True)
    cache_key: Mapped[str] = mapped_column(String(64), doc="segment hash + detector versions")
    camera: Mapped[str] = mapped_column(String(64))
    start: Mapped[datetime] = mapped_column(UtcDateTime())
    end: Mapped[datetime] = mapped_column(UtcDateTime())
    kind: Mapped[str] = mapped_column(String(32))
    value: Mapped[float]
    confidence: Mapped[float]
    detector: Mapped[str] = mapped_column(String(32))
    detector_version: Mapped[str] = mapped_column(String(64))
