"""/api/v1 media routes: a leg's HLS playlist and timeline map, a segment's init section and bytes."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Header, HTTPException, Query, Request, status
from fastapi.responses import Response
from pydantic import BaseModel, Field

from indexer.coverage import DEFAULT_PAD_S
from review_app.audit.entries import AuditAction
from review_app.audit.log import AuditLog
from review_app.auth.dependencies import CurrentUser
from review_app.auth.roles import User
from review_app.deps import ServicesDep
from review_app.media.access import MediaAccess, MediaAccessDep
from review_app.media.footage import LegFootage, SegmentSubject, find_leg, find_segment, leg_footage
from review_app.media.mp4_init import NoInitSectionError, read_init
from review_app.media.playlist import Timeline, render_playlist
from review_app.media.responses import HLS, MP4, PRIVATE, not_found, private_bytes, ranged_object, store_failure
from seffaf.storage.base import StoreError

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1", tags=["media"])


class LegTimelineView(BaseModel):
    visit_id: int
    leg_index: int
    camera: str | None
    leg_start: datetime | None
    leg_end: datetime | None
    pad_s: float
    timeline: Timeline | None


def visible_leg(services: ServicesDep, access: MediaAccess, visit_id: int, index: int) -> LegFootage:
    """The leg's footage, or the 404 of a missing leg when it is not the requester's to see."""
    with services.catalog.sessions() as session:
        found = find_leg(session, visit_id, index)
        if found is None or not access.may_view_leg(found[0]):
            raise not_found()
        return leg_footage(session, *found, DEFAULT_PAD_S, services.clock())


ViewParam = Annotated[int | None, Query(ge=1, description="The audited view (playlist) this fetch belongs to.")]


class MediaFetch(BaseModel):
    """What the audit trail records of one init-section or media fetch."""

    part: Literal["init", "media"]
    view: int | None = Field(None, description="Audit row of the playlist fetch, which carries the stated reason.")
    range: str | None = Field(None, description="The HTTP Range asked for; null: the whole object.")


def fetched_segment(
    services: ServicesDep, access: MediaAccess, user: User, camera: str, seq: int, fetch: MediaFetch
) -> SegmentSubject:
    """The segment, once the user may fetch it; the fetch is audited before any byte is read."""
    with services.catalog.sessions() as session, session.begin():
        segment = find_segment(session, camera, seq)
        if segment is None or not access.may_fetch_segment(segment):
            raise not_found()
        AuditLog(session, services.clock).append(
            AuditAction.MEDIA_FETCH, actor=user.username, object_type="segment", object_id=segment.key, detail=fetch
        )
    return segment


def timeline_view(footage: LegFootage) -> LegTimelineView:
    return LegTimelineView(
        visit_id=footage.leg.visit_id,
        leg_index=footage.leg.leg_index,
        camera=footage.camera,
        leg_start=footage.start,
        leg_end=footage.end,
        pad_s=DEFAULT_PAD_S,
        timeline=footage.timeline,
    )


@router.get(
    "/sessions/{visit_id}/legs/{index}/playlist.m3u8",
    response_class=Response,
    responses={200: {"content": {HLS: {}}}, 404: {"description": "No such leg, or no footage of it."}},
)
def leg_playlist(
    visit_id: int,
    index: int,
    request: Request,
    services: ServicesDep,
    access: MediaAccessDep,
    user: CurrentUser,
    reason: Annotated[str, Query(min_length=3, max_length=500, description="Why the footage is watched.")],
) -> Response:
    """HLS (v7, fMP4, VOD) over the leg with padding, built from the catalog alone.

    Footage plays only through this playlist, so the stated reason is recorded with the view here.
    """
    footage = visible_leg(services, access, visit_id, index)
    with services.catalog.sessions() as session, session.begin():
        view = AuditLog(session, services.clock).append(
            AuditAction.SESSION_VIEW, actor=user.username, object_type="session", object_id=str(visit_id),
            reason=reason.strip(), detail={"leg": index, "footage": "playlist"},
        )  # fmt: skip
    camera = footage.camera
    playlist = None
    if footage.timeline is not None and camera is not None:
        # Each segment URL names the view it belongs to, so every fetch's audit row points at the reason.
        playlist = render_playlist(
            footage.timeline,
            lambda seq: f"{request.url_for('segment_media', camera=camera, seq=seq).path}?view={view.id}",
            lambda seq: f"{request.url_for('segment_init', camera=camera, seq=seq).path}?view={view.id}",
        )
    if playlist is None:
        raise not_found()
    return Response(content=playlist, media_type=HLS, headers=PRIVATE)


@router.get("/sessions/{visit_id}/legs/{index}/timeline", response_model=LegTimelineView)
def leg_timeline(
    visit_id: int, index: int, services: ServicesDep, access: MediaAccessDep, response: Response
) -> LegTimelineView:
    """Wall clock <-> player time for the leg's playlist, with the holes in its footage."""
    response.headers.update(PRIVATE)
    return timeline_view(visible_leg(services, access, visit_id, index))


@router.get(
    "/media/{camera}/{seq}/init.mp4",
    name="segment_init",
    response_class=Response,
    responses={200: {"content": {MP4: {}}}},
)
def segment_init(
    camera: str, seq: int, services: ServicesDep, access: MediaAccessDep, user: CurrentUser, view: ViewParam = None
) -> Response:
    """The segment's ftyp+moov (its EXT-X-MAP), read from the head of the object only."""
    segment = fetched_segment(services, access, user, camera, seq, MediaFetch(part="init", view=view))
    try:
        size = services.store.stat(segment.key).size
        return private_bytes(read_init(services.store, segment.key, size), MP4)
    except StoreError as exc:
        raise store_failure(exc) from exc
    except NoInitSectionError as exc:
        logger.exception("segment %s: no initialization section", segment.key)
        raise HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, "segment has no initialization section") from exc


@router.get(
    "/media/{camera}/{seq}.mp4",
    name="segment_media",
    response_class=Response,
    responses={
        200: {"content": {MP4: {}}},
        206: {"description": "One byte range."},
        416: {"description": "The range starts past the end."},
    },
)
def segment_media(
    camera: str,
    seq: int,
    services: ServicesDep,
    access: MediaAccessDep,
    user: CurrentUser,
    view: ViewParam = None,
    range_header: Annotated[str | None, Header(alias="Range")] = None,
) -> Response:
    """The stored segment as recorded (hash-verifiable), whole or one HTTP byte range."""
    fetch = MediaFetch(part="media", view=view, range=range_header)
    segment = fetched_segment(services, access, user, camera, seq, fetch)
    return ranged_object(services.store, segment.key, range_header)
