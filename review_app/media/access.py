"""Who may watch which footage: decided per request, by a dependency the login work plugs into.

Every media route (playlist, timeline, init section, media bytes, player page) asks the
MediaAccess that `get_media_access` returns, after finding the leg or segment in the catalog and
before reading anything from the store. A refusal is answered with the same 404 as a missing
object, so the answer does not reveal what exists.

Access follows the signed-in user's scope (centres, conflict of interest); a refusal raises the
audited 404 (`not_found_unless`). Watching is audited where footage starts, the playlist, which
demands the reason the viewer stated; every init-section and media fetch is audited too, naming
the playlist's audit row (`?view=`) so each byte served leads back to a reason.
"""

from __future__ import annotations

from typing import Annotated, Protocol

from fastapi import Depends, status

from review_app.auth.denials import AuditedDenial, Denial
from review_app.auth.dependencies import CurrentUser
from review_app.auth.roles import User
from review_app.auth.scope import AccessPolicy, sees_all_centers
from review_app.deps import ServicesDep
from review_app.media.footage import LegSubject, SegmentSubject
from review_app.media.responses import NOT_FOUND


class MediaAccess(Protocol):
    def may_view_leg(self, leg: LegSubject) -> bool:
        """May the requester see this leg's footage (its playlist, timeline and player)?"""

    def may_fetch_segment(self, segment: SegmentSubject) -> bool:
        """May the requester fetch this segment's bytes (init section or media)?"""


class UserMediaAccess:
    """The signed-in user's scope; a refusal is the audited 404 of a missing object."""

    def __init__(self, user: User, policy: AccessPolicy) -> None:
        self._user = user
        self._policy = policy

    def may_view_leg(self, leg: LegSubject) -> bool:
        allowed = self._policy.can_access(self._user, leg.center, leg.operator)
        self._refuse_unless(allowed, "session", str(leg.visit_id))
        return True

    def may_fetch_segment(self, segment: SegmentSubject) -> bool:
        # A bare segment names no operator: the centre decides (the leg's playlist checked the operator).
        allowed = (
            sees_all_centers(self._user)
            if segment.center is None
            else self._policy.can_access(self._user, segment.center, None)
        )
        self._refuse_unless(allowed, "segment", segment.key)
        return True

    def _refuse_unless(self, allowed: bool, object_type: str, object_id: str) -> None:
        """The media routes' own 404 for a missing object, audited as access_denied."""
        if not allowed:
            denial = Denial(self._user.username, object_type, object_id, "outside the user's scope")
            raise AuditedDenial(status.HTTP_404_NOT_FOUND, NOT_FOUND, denial)


def get_media_access(user: CurrentUser, services: ServicesDep) -> MediaAccess:
    """Every media route asks the signed-in user's scope (see the module docstring)."""
    return UserMediaAccess(user, services.access)


MediaAccessDep = Annotated[MediaAccess, Depends(get_media_access)]
