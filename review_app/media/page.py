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
from review_app.media.footage import LegSubject
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
        timezone = session.scalar(select(CenterRow.timezone).where(CenterRow.id == footage.leg.center)) or "UTC"
    if reason is None or len(reason.strip()) < MIN_REASON:
        # No footage before the viewer says why: the playlist records the reason with the view.
        context = {"leg": footage.leg, "markers": markers}
        return templates.TemplateResponse(request, "reason_page.html", context, headers=PRIVATE)
    route = request.url_for("leg_playlist", visit_id=visit_id, index=index).path
    playlist = f"{route}?{urlencode({'reason': reason.strip()})}"
    config = PlayerConfig(playlist_url=playlist, footage=timeline_view(footage), markers=markers, timezone=timezone)
    context = {"leg": footage.leg, "player_config": config.model_dump(mode="json")}
    return templates.TemplateResponse(request, "player_page.html", context, headers=PRIVATE)
