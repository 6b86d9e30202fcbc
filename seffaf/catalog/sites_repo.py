"""Storing the sites registry in the catalog (replaces what a previous load stored)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from seffaf.catalog.sites_tables import CameraRow, CenterRow, WindowRow
from seffaf.sites import Sites


@dataclass(frozen=True)
class SitesCounts:
    centers: int
    windows: int
    cameras: int


def store_sites(session: Session, sites: Sites) -> SitesCounts:
    """Upsert everything in the file; windows of the file's centres are replaced as a whole."""
    for center in sites.center:
        session.merge(
            CenterRow(id=center.id, name=center.name, timezone=center.timezone, retention_days=center.retention_days)
        )
    for camera in sites.camera:
        session.merge(CameraRow(id=camera.id, source=camera.source))
    session.flush()
    centers = {c.id for c in sites.center}
    if centers:
        session.execute(delete(WindowRow).where(WindowRow.center.in_(centers)))
    for window in sites.window:
        session.add(
            WindowRow(
                center=window.center,
                number=window.number,
                camera=window.camera,
                operator_zone=window.operator_zone,
                citizen_zone=window.citizen_zone,
            )
        )
    session.flush()
    return SitesCounts(len(sites.center), len(sites.window), len(sites.camera))


def center_timezones(session: Session) -> dict[str, str]:
    return {row.id: row.timezone for row in session.scalars(select(CenterRow))}
