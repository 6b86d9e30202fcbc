"""Sites registry tables: centres, windows, cameras (loaded from the sites file)."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from seffaf.catalog.base import Base


class CenterRow(Base):
    __tablename__ = "centers"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    retention_days: Mapped[int | None] = mapped_column(doc="footage kept this long; NULL: the configured default")


class CameraRow(Base):
    __tablename__ = "cameras"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(500))


class WindowRow(Base):
    __tablename__ = "windows"
    center: Mapped[str] = mapped_column(ForeignKey("centers.id", ondelete="CASCADE"), primary_key=True)
    number: Mapped[int] = mapped_column(primary_key=True)
    camera: Mapped[str | None] = mapped_column(ForeignKey("cameras.id", ondelete="SET NULL"), index=True)
    # Analytics zones, [x0, y0, x1, y1] in 0..1 of the picture; NULL: the defaults.
    operator_zone: Mapped[list[float] | None] = mapped_column(JSON)
    citizen_zone: Mapped[list[float] | None] = mapped_column(JSON)
