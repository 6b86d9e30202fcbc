"""Centres as pages name them: display name and time zone (times are shown in the centre's local time)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from review_app.auth.roles import User
from review_app.auth.scope import sees_all_centers
from seffaf.catalog.sites_tables import CenterRow


@dataclass(frozen=True)
class CenterInfo:
    id: str
    name: str
    timezone: str


def unknown_center(center_id: str) -> CenterInfo:
    return CenterInfo(center_id, center_id, "UTC")  # a session whose centre left the registry still shows


def centers_by_id(session: Session, ids: Collection[str]) -> dict[str, CenterInfo]:
    rows = session.scalars(select(CenterRow).where(CenterRow.id.in_(sorted(set(ids)))))
    found = {row.id: CenterInfo(row.id, row.name, row.timezone) for row in rows}
    return {center: found.get(center) or unknown_center(center) for center in ids}


def centers_in_scope(session: Session, user: User) -> list[CenterInfo]:
    """The centres the user may search, for the search form's choice."""
    query = select(CenterRow).order_by(CenterRow.name)
    if not sees_all_centers(user):
        query = query.where(CenterRow.id.in_(sorted(user.centers)))
    return [CenterInfo(row.id, row.name, row.timezone) for row in session.scalars(query)]
