"""GET /api/v1/sessions/{visit}/legs/{index}/observations: what the analytics saw, as tracks for the player."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Response

from indexer.coverage import DEFAULT_PAD_S
from review_app.deps import ServicesDep
from review_app.media.access import MediaAccessDep
from review_app.media.responses import PRIVATE
from review_app.media.routes import visible_leg
from review_app.media.tracks import LegTracks, camera_observations, empty_tracks, observation_tracks

router = APIRouter(prefix="/api/v1", tags=["sessions"])


@router.get(
    "/sessions/{visit_id}/legs/{index}/observations",
    response_model=LegTracks,
    responses={404: {"description": "No such leg, or not yours to see."}},
)
def leg_observations(
    visit_id: int, index: int, services: ServicesDep, access: MediaAccessDep, response: Response
) -> LegTracks:
    """Operator presence, citizens, loudness, raised voices and camera tampering over the player's span.

    The span is the leg with the player's padding, so the tracks line up with its timeline bar.
    """
    footage = visible_leg(services, access, visit_id, index)
    response.headers.update(PRIVATE)
    leg, camera = footage.leg, footage.camera
    if camera is None or footage.start is None or footage.end is None:
        return LegTracks(visit_id=leg.visit_id, leg_index=leg.leg_index, camera=camera, span_start=None,
                         span_end=None, tracks=empty_tracks())  # fmt: skip
    pad = timedelta(seconds=DEFAULT_PAD_S)
    start, end = footage.start - pad, footage.end + pad
    with services.catalog.sessions() as session:
        seen = camera_observations(session, camera, start, end)
    return LegTracks(visit_id=leg.visit_id, leg_index=leg.leg_index, camera=camera, span_start=start, span_end=end,
                     tracks=observation_tracks(seen, start, end))  # fmt: skip
