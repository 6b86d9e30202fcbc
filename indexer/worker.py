"""An indexer worker: claims jobs, runs them, records results exactly once."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from indexer.jobs import Claim, claim, complete, fail
from seffaf.catalog.footage_tables import SegmentRow
from seffaf.clock import Clock
from seffaf.storage.base import ObjectNotFoundError, ObjectStore, StoreError

logger = logging.getLogger(__name__)

# A job handler does its work and writes its result rows in the session it is given; the
# worker commits them together with the job's completion, or not at all.
Handler = Callable[[Session, Claim], dict[str, object]]


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def verify_segment(store: ObjectStore, clock: Clock) -> Handler:
    def handle(session: Session, job: Claim) -> dict[str, object]:
        segment = session.get(SegmentRow, job.subject)
        if segment is None:
            return {"ok": False, "reason": "segment not in the catalog"}
        try:
            actual = store.compute_sha256(segment.key)
        except ObjectNotFoundError:
            actual = None
        segment.verified_at = clock()
        segment.verified_ok = actual == segment.sha256
        return {"ok": segment.verified_ok, "sha256": actual}

    return handle


@dataclass
class WorkerStats:
    done: int = 0
    lost: int = 0
    failed: int = 0


class Worker:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        handlers: dict[str, Handler],
        clock: Clock,
        name: str | None = None,
        lease_s: float = 30.0,
    ) -> None:
        self._sessions = sessions
        self._handlers = handlers
        self._clock = clock
        self.name = name or worker_name()
        self._lease_s = lease_s
        self.stats = WorkerStats()

    def run_one(self) -> bool:
        """Claim and run one job; False when none was waiting."""
        with self._sessions() as session, session.begin():
            job = claim(session, self.name, list(self._handlers), self._clock(), self._lease_s)
        if job is None:
            return False
        try:
            with self._sessions() as session, session.begin():
                result = self._handlers[job.kind](session, job)
                if complete(session, job, self.name, result, self._clock()):
                    self.stats.done += 1
                else:  # the lease ran out and another worker has the job: drop our writes
                    session.rollback()
                    self.stats.lost += 1
                    logger.warning("worker %s: lost the lease of job %d (%s)", self.name, job.id, job.subject)
        except (StoreError, OSError, ValueError) as exc:
            logger.exception("worker %s: job %d (%s %s) failed", self.name, job.id, job.kind, job.subject)
            with self._sessions() as session, session.begin():
                fail(session, job, self.name, f"{type(exc).__name__}: {exc}", self._clock())
            self.stats.failed += 1
        return True

    def run(self, stop: threading.Event, idle_s: float = 1.0) -> WorkerStats:
        while not stop.is_set():
            if not self.run_one():
                stop.wait(idle_s)
        return self.stats
