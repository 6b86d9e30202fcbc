"""The player page of one session leg: the video, its wall-clock timeline and the findings on it."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from policies.subjects import leg_key
from review_app.deps import ServicesDep
from review_app.media.access import MediaAccessDep
from review_app.media.footage import LegFootage, LegSubject
from review_app.media.responses import PRIVATE
from review_app.media.routes import LegTimelineView, timeline_view, visible_leg
from review_app.web import TemplatesDep
from seffaf.catalog.finding_tables import FindingRow
from seffaf.catalog.sites_tables import CenterRow

router = APIRouter(include_in_schema=False)
MIN_REASON = 3


class Marker(BaseModel):
    """A moment to jump to: a finding's start, labelled."""

    id: int
    label: str
    severity: str
    at: datetime
    end: datetime


class PlayerConfig(BaseModel):
    """Everything static/player.js needs, embedded in the page as JSON."""

    playlist_url: str
    footage: LegTimelineView
    markers: list[Marker]
    timezone: str


def finding_markers(session: Session, leg: LegSubject) -> list[Marker]:
    # By the leg's identity, not the visit row id: a session rebuild renumbers visits.
    subject = leg_key(leg.center, leg.service_date, leg.ticket, leg.leg_index)
    rows = session.scalars(select(FindingRow).where(FindingRow.subject == subject).order_by(FindingRow.start))
    return [Marker(id=f.id, label=f.title, severity=f.severity, at=f.start, end=f.end) for f in rows]


def center_timezone(session: Session, center: str) -> str:
    return session.scalar(select(CenterRow.timezone).where(CenterRow.id == center)) or "UTC"


def has_reason(reason: str | None) -> bool:
    return reason is not None and len(reason.strip()) >= MIN_REASON


def player_config(
    request: Request, footage: LegFootage, markers: list[Marker], timezone: str, reason: str
) -> PlayerConfig:
    """The player of one leg; its playlist address carries the viewer's reason, recorded when footage starts."""
    route = request.url_for("leg_playlist", visit_id=footage.leg.visit_id, index=footage.leg.leg_index).path
    playlist = f"{route}?{urlencode({'reason': reason.strip()})}"
    return PlayerConfig(playlist_url=playlist, footage=timeline_view(footage), markers=markers, timezone=timezone)


@router.get("/sessions/{visit_id}/legs/{index}/player", response_class=HTMLResponse)
def leg_player(
    visit_id: int,
    index: int,
    request: Request,
    services: ServicesDep,
    access: MediaAccessDep,
    templates: TemplatesDep,
    reason: str | None = None,
) -> HTMLResponse:
    footage = visible_leg(services, access, visit_id, index)
    with services.catalog.sessions() as session:
        markers = finding_markers(session, footage.leg)
        timezone = center_timezone(session, footage.leg.center)
    if reason is None or not has_reason(reason):
        # No footage before the viewer says why: the playlist records the reason with the view.
        context = {"leg": footage.leg, "markers": markers}
        return templates.TemplateResponse(request, "reason_page.html", context, headers=PRIVATE)
    config = player_config(request, footage, markers, timezone, reason)
    context = {"leg": footage.leg, "player_config": config.model_dump(mode="json")}
    return templates.TemplateResponse(request, "player_page.html", context, headers=PRIVATE)
