"""Removing deleted segments from the catalog together with what hangs off them.

Observations are linked to their segment by key (indexer/analyse_job.py writes segment_key), so
exactly the deleted segments' rows go, never a neighbour's covering the same minutes. Pending
jobs (queued, or running under a lease) about a deleted segment are removed: no worker can claim
one again, and a worker still running one finds its row gone at completion and drops its writes
(indexer/jobs.py complete). Finished and failed jobs stay as history.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import CursorResult, Delete, delete
from sqlalchemy.orm import Session

from indexer.job_kinds import SEGMENT_JOB_KINDS
from seffaf.catalog.footage_tables import SegmentRow
from seffaf.catalog.job_tables import JobRow
from seffaf.catalog.observation_tables import ObservationRow
from seffaf.retention.holds import IN_CHUNK

# The job statuses a worker may still act on (claim() takes queued jobs and expired running ones).
PENDING_STATUSES = ("queued", "running")


@dataclass
class PurgedRows:
    segments: int = 0
    observations: int = 0
    jobs: int = 0


def _deleted(session: Session, statement: Delete) -> int:
    result = session.execute(statement)
    assert isinstance(result, CursorResult)  # a DELETE's result: rows affected
    return result.rowcount


def purge_segments(session: Session, keys: Collection[str]) -> PurgedRows:
    """Delete the segments' rows, observations and pending jobs in the caller's transaction."""
    purged = PurgedRows()
    wanted = sorted(set(keys))
    for i in range(0, len(wanted), IN_CHUNK):  # bound the bind parameters of one statement
        chunk = wanted[i : i + IN_CHUNK]
        # Jobs before observations: a worker that completed first (PostgreSQL makes us wait for its
        # commit on the job row) has committed its observations before our observation delete runs.
        # Naming the kinds lets the delete use the (kind, subject) unique index instead of scanning every job.
        pending = JobRow.kind.in_(SEGMENT_JOB_KINDS), JobRow.subject.in_(chunk), JobRow.status.in_(PENDING_STATUSES)
        purged.jobs += _deleted(session, delete(JobRow).where(*pending))
        purged.observations += _deleted(session, delete(ObservationRow).where(ObservationRow.segment_key.in_(chunk)))
        purged.segments += _deleted(session, delete(SegmentRow).where(SegmentRow.key.in_(chunk)))
    return purged
