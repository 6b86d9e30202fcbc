"""When a session leg is ready to be judged: ended, linked to its footage, and that footage analysed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import String, and_, cast, literal, select
from sqlalchemy.orm import Session

from indexer.job_kinds import ANALYSE_SEGMENT, EVALUATE_LEG
from seffaf.catalog.footage_tables import SegmentRow
from seffaf.catalog.job_tables import JobRow
from seffaf.catalog.session_tables import LegRow

# Legs linked longer ago than this are judged by `seffaf evaluate`, not looked at by every pass.
HORIZON = timedelta(days=3)
FINISHED = ("done", "failed")  # a segment the analytics could not read is judged without them


def analysed_legs(session: Session, legs: Sequence[LegRow]) -> set[int]:
    """Legs with footage whose every linked segment has been through the analytics."""
    done: set[int] = set()
    for leg in legs:
        if leg.camera is None or leg.first_seq is None or leg.last_seq is None:
            continue
        statuses = session.execute(
            select(SegmentRow.seq, JobRow.status)
            .outerjoin(JobRow, and_(JobRow.kind == ANALYSE_SEGMENT, JobRow.subject == SegmentRow.key))
            .where(SegmentRow.camera == leg.camera, SegmentRow.seq >= leg.first_seq, SegmentRow.seq <= leg.last_seq)
        ).all()
        if statuses and all(status in FINISHED for _, status in statuses):
            done.add(leg.id)
    return done


def ready_legs(session: Session, now: datetime, limit: int = 5000) -> list[LegRow]:
    """Ended legs linked in the last few days with no evaluation job yet whose footage is analysed
    (or that have no footage at all: a session off camera is itself something to judge)."""
    subject = literal("leg:") + cast(LegRow.id, String)
    queued = select(JobRow.id).where(JobRow.kind == EVALUATE_LEG, JobRow.subject == subject).exists()
    pending = list(
        session.scalars(
            select(LegRow)
            .where(LegRow.ended_at.is_not(None), LegRow.linked_at > now - HORIZON)
            .where(~queued)
            .order_by(LegRow.linked_at)
            .limit(limit)
        )
    )
    analysed = analysed_legs(session, pending)
    return [leg for leg in pending if leg.id in analysed or leg.first_seq is None]


def footage_analysed(session: Session, camera: str, start: datetime, end: datetime) -> bool:
    """Every segment of the camera starting in [start, end) has been through the analytics."""
    unfinished = session.scalar(
        select(SegmentRow.key)
        .outerjoin(JobRow, and_(JobRow.kind == ANALYSE_SEGMENT, JobRow.subject == SegmentRow.key))
        .where(SegmentRow.camera == camera, SegmentRow.start >= start, SegmentRow.start < end)
        .where(JobRow.status.is_(None) | JobRow.status.not_in(FINISHED))
        .limit(1)
    )
    return unfinished is None
