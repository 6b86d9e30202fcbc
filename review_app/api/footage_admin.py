"""DELETE /api/v1/footage/{camera}/{seq}: an administrator deletes one segment, for a stated reason.

The deletion goes through FootageDeleter, as retention does: footage under legal hold is refused
(409, naming the cases) and the refusal is audited in the same transaction as any deletion would be.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel
from sqlalchemy import select

from review_app.auth.denials import not_found, not_found_unless
from review_app.auth.dependencies import AdminUser
from review_app.auth.scope import sees_all_centers
from review_app.deps import ServicesDep
from seffaf.catalog.footage_tables import SegmentRow
from seffaf.retention.deleter import DeletionOutcome, FootageDeleter
from seffaf.retention.tombstones import DeletionCause
from seffaf.storage.base import StoreError, StoreUnavailableError

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1", tags=["footage"])


class FootageDeleted(BaseModel):
    key: str
    camera: str
    seq: int
    record: str | None  # the deletion record left in the store


def _refusal(camera: str, seq: int, outcome: DeletionOutcome) -> HTTPException:
    if outcome.refused:
        cases = ", ".join(str(c) for r in outcome.refused for c in r.case_ids)
        return HTTPException(status.HTTP_409_CONFLICT, f"segment {camera}/{seq} is under legal hold (case {cases}): "
                             "it cannot be deleted until every hold is released; the attempt is audited")  # fmt: skip
    return HTTPException(status.HTTP_502_BAD_GATEWAY, f"the object store did not delete segment {camera}/{seq}")


@router.delete("/footage/{camera}/{seq}")
def delete_footage(
    camera: str,
    seq: int,
    reason: Annotated[str, Query(min_length=3, max_length=500, description="Why this footage must go.")],
    user: AdminUser,
    services: ServicesDep,
) -> FootageDeleted:
    try:
        with services.catalog.sessions() as session, session.begin():
            segment = session.execute(
                select(SegmentRow.key, SegmentRow.center).where(SegmentRow.camera == camera, SegmentRow.seq == seq)
            ).first()
            if segment is None:
                raise not_found("segment", f"{camera}/{seq}")
            allowed = (
                sees_all_centers(user)
                if segment.center is None
                else services.access.can_access(user, segment.center, None)
            )
            not_found_unless(allowed, user, "segment", segment.key)
            deleter = FootageDeleter(services.store, session, services.clock)
            outcome = deleter.delete([segment.key], actor=user.username, reason=reason.strip(),
                                     cause=DeletionCause.EXPLICIT)  # fmt: skip
    except StoreUnavailableError as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "object store unavailable, try again") from exc
    except StoreError as exc:
        logger.exception("footage delete: %s/%s", camera, seq)
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, "object store error") from exc
    if outcome.missing:  # deleted by someone else in the meantime
        raise not_found("segment", f"{camera}/{seq}")
    if not outcome.deleted:
        raise _refusal(camera, seq, outcome)
    return FootageDeleted(key=segment.key, camera=camera, seq=seq, record=outcome.record_key)
