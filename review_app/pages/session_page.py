"""GET /sessions/{visit_id}: one visit's ticket timeline, its legs with their findings, and a leg's footage.

The footage of a leg is embedded only once the viewer has said why (`?leg=i&reason=…`); the
playlist records that reason with the view. The page itself is audited as a session view.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from indexer.session_views import LegView, VisitView, get_visit
from policies.finding_views import FindingView
from review_app.audit.entries import AuditAction
from review_app.audit.log import AuditLog
from review_app.auth.denials import not_found, not_found_unless
from review_app.auth.dependencies import CurrentUser
from review_app.auth.roles import User
from review_app.deps import AppServices, ServicesDep
from review_app.media.access import get_media_access
from review_app.media.page import MIN_REASON, Marker, has_reason, player_config
from review_app.media.playlist import TimelineHole
from review_app.media.responses import PRIVATE
from review_app.media.routes import visible_leg
from review_app.pages.centers import CenterInfo, centers_by_id
from review_app.pages.ticket_timeline import ticket_timeline
from review_app.pages.visit_findings import findings_by_leg
from review_app.web import TemplatesDep
from seffaf.catalog.audit_tables import DetailValue

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Watching:
    """The leg whose footage the page embeds: the player's config and the holes in its footage."""

    leg_index: int
    player_config: dict[str, object]
    holes: list[TimelineHole]
    tracks_url: str


def markers(findings: list[FindingView]) -> list[Marker]:
    return [Marker(id=f.id, label=f.title, severity=f.severity, at=f.start, end=f.end) for f in findings]


def watching(
    request: Request, services: AppServices, user: User, leg: LegView, findings: list[FindingView],
    center: CenterInfo, visit_id: int, reason: str,
) -> Watching:  # fmt: skip
    footage = visible_leg(services, get_media_access(user, services), visit_id, leg.index)
    config = player_config(request, footage, markers(findings), center.timezone, reason)
    tracks = request.url_for("leg_observations", visit_id=visit_id, index=leg.index).path
    holes = footage.timeline.holes if footage.timeline is not None else []
    return Watching(leg.index, config.model_dump(mode="json"), holes, tracks)


def read_visit(services: AppServices, user: User, visit_id: int, detail: dict[str, DetailValue]) -> tuple[
    VisitView, dict[int, list[FindingView]], CenterInfo
]:  # fmt: skip
    """The visit, its findings by leg and its centre; a hidden visit is the missing visit's audited 404."""
    with services.catalog.sessions() as session, session.begin():
        visit = get_visit(session, visit_id, services.clock)
        if visit is None:
            raise not_found("session", str(visit_id))
        allowed = services.access.can_access_all(user, visit.center, [leg.operator for leg in visit.legs])
        not_found_unless(allowed, user, "session", str(visit_id))
        findings = findings_by_leg(session, visit)
        center = centers_by_id(session, [visit.center])[visit.center]
        AuditLog(session, services.clock).append(AuditAction.SESSION_VIEW, actor=user.username, object_type="session",
                                                 object_id=str(visit_id), detail=detail)  # fmt: skip
    return visit, findings, center


@router.get("/sessions/{visit_id}", response_class=HTMLResponse)
def session_page(
    visit_id: int,
    request: Request,
    user: CurrentUser,
    services: ServicesDep,
    templates: TemplatesDep,
    leg: int | None = None,
    reason: str | None = None,
) -> HTMLResponse:
    """The session; with `leg` and a `reason` of at least MIN_REASON characters, that leg's footage too."""
    asked_reason, reason = reason, (reason.strip() if reason is not None and has_reason(reason) else None)
    detail: dict[str, DetailValue] = {"page": "session"}
    if leg is not None and reason is not None:
        detail["leg"] = leg  # the footage itself is audited by its playlist, with the reason
    visit, findings, center = read_visit(services, user, visit_id, detail)
    chosen = next((item for item in visit.legs if item.index == leg), None)
    shown = None
    if chosen is not None and reason is not None:
        shown = watching(request, services, user, chosen, findings[chosen.index], center, visit_id, reason)
    context = {
        "visit": visit, "center": center, "timeline": ticket_timeline(visit), "findings": findings,
        "watching": shown, "reason": reason, "asked_leg": leg, "min_reason": MIN_REASON,
        "unknown_leg": leg is not None and not chosen, "reason_short": asked_reason is not None and reason is None,
    }  # fmt: skip
    return templates.TemplateResponse(request, "session.html", context, headers=PRIVATE)
