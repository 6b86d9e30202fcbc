"""A small job queue in the catalog database, shared by workers on any number of machines.

A claim is one atomic UPDATE of the oldest claimable job (on PostgreSQL its SELECT takes
`FOR UPDATE SKIP LOCKED`, so concurrent workers never wait for or take the same row; SQLite
serialises writers anyway). A claim is a lease: a worker killed mid-job loses it when the lease
runs out, and another worker takes the job again. Completion is accepted only from the lease
holder, in the same transaction as the job's result, so each job's result lands exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from seffaf.catalog.job_tables import JobRow

MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Claim:
    id: int
    kind: str
    subject: str
    attempt: int


def enqueue(session: Session, kind: str, subjects: Iterable[str], now: datetime) -> int:
    """Add jobs; a (kind, subject) already queued or done is left alone. Returns rows added."""
    rows = [{"kind": kind, "subject": s, "status": "queued", "attempts": 0, "created_at": now} for s in subjects]
    if not rows:
        return 0
    dialect = session.connection().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    added = 0
    for start in range(0, len(rows), 1000):
        statement = insert(JobRow).values(rows[start : start + 1000]).on_conflict_do_nothing().returning(JobRow.id)
        added += len(session.execute(statement).all())  # rowcount is -1 for this on psycopg
    return added


def claim(session: Session, worker: str, kinds: Sequence[str], now: datetime, lease_s: float) -> Claim | None:
    """Take the oldest queued job of these kinds, or one whose lease ran out."""
    claimable = or_(
        JobRow.status == "queued",
        and_(JobRow.status == "running", JobRow.lease_until < now, JobRow.attempts < MAX_ATTEMPTS),
    )
    oldest = (
        select(JobRow.id)
        .where(claimable, JobRow.kind.in_(kinds))
        .order_by(JobRow.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    statement = (
        update(JobRow)
        .where(JobRow.id == oldest)
        .values(
            status="running", worker=worker, lease_until=now + timedelta(seconds=lease_s), attempts=JobRow.attempts + 1
        )
        .returning(JobRow.id, JobRow.kind, JobRow.subject, JobRow.attempts)
    )
    row = session.execute(statement).first()
    return Claim(row[0], row[1], row[2], row[3]) if row else None


def complete(session: Session, job: Claim, worker: str, result: dict[str, object], now: datetime) -> bool:
    """Record the result if this worker still holds the lease; False means another worker has it."""
    done = session.execute(
        update(JobRow)
        .where(JobRow.id == job.id, JobRow.worker == worker, JobRow.status == "running")
        .values(status="done", result=result, finished_at=now, lease_until=None)
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def fail(session: Session, job: Claim, worker: str, error: str, now: datetime) -> None:
    """A job that raised: queued again until MAX_ATTEMPTS, then failed for a person to look at."""
    status = "failed" if job.attempt >= MAX_ATTEMPTS else "queued"
    session.execute(
        update(JobRow)
        .where(JobRow.id == job.id, JobRow.worker == worker)
        .values(status=status, error=error[:2000], lease_until=None, finished_at=now if status == "failed" else None)
    )
