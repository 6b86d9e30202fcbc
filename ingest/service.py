"""Ingest orchestration shared by `seffaf ingest` and the HTTP endpoint.

Per batch: write rows (one transaction), archive the accepted events in the object store
before committing (the catalog never holds an event the store lacks), then rebuild the
sessions the batch touched.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from ingest.archive import EventArchive
from ingest.parsing import ParsedRow
from ingest.rebuild import SessionRebuilder
from ingest.writer import Affected, EventWriter, ItemResult, ItemStatus
from seffaf.clock import Clock

DEFAULT_BATCH = 5000


@dataclass
class IngestSummary:
    accepted: int = 0
    duplicate: int = 0
    conflict: int = 0
    rejected: int = 0

    def add(self, results: Iterable[ItemResult]) -> None:
        for result in results:
            match result.status:
                case ItemStatus.ACCEPTED:
                    self.accepted += 1
                case ItemStatus.DUPLICATE:
                    self.duplicate += 1
                case ItemStatus.CONFLICT:
                    self.conflict += 1
                case ItemStatus.REJECTED:
                    self.rejected += 1

    def as_dict(self) -> dict[str, int]:
        return {"accepted": self.accepted, "duplicate": self.duplicate, "conflict": self.conflict,
                "rejected": self.rejected}  # fmt: skip


class IngestService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        archive: EventArchive | None,
        clock: Clock,
        batch_size: int = DEFAULT_BATCH,
    ) -> None:
        self._sessions = sessions
        self._archive = archive
        self._clock = clock
        self._batch_size = batch_size

    def _write(
        self, session: Session, batch: list[ParsedRow], record_rejections: bool = True
    ) -> tuple[list[ItemResult], Affected]:
        outcome = EventWriter(session, self._clock, record_rejections).write(batch)
        if self._archive is not None and outcome.accepted:
            self._archive.append(outcome.accepted, self._clock(), uuid.uuid4().hex)
        return outcome.results, outcome.affected

    def ingest_rows(
        self, rows: Iterable[ParsedRow], on_batch: Callable[[list[ParsedRow]], None] | None = None
    ) -> IngestSummary:
        """A stream of rows (a file): batches of events, then one rebuild of what they touched."""
        summary = IngestSummary()
        affected = Affected()
        iterator = iter(rows)
        while batch := list(itertools.islice(iterator, self._batch_size)):
            with self._sessions() as session, session.begin():
                results, touched = self._write(session, batch)
            summary.add(results)
            affected.merge(touched)
            if on_batch is not None:
                on_batch(batch)
        self.rebuild(affected)
        return summary

    def ingest_batch(self, rows: list[ParsedRow], record_rejections: bool = True) -> list[ItemResult]:
        """One HTTP batch (or a retry): events and the sessions they change, in one transaction."""
        with self._sessions() as session, session.begin():
            results, touched = self._write(session, rows, record_rejections)
            SessionRebuilder(session, self._clock).rebuild(touched, whole_days=False)
        return results

    def rebuild(self, affected: Affected) -> int:
        with self._sessions() as session, session.begin():
            return SessionRebuilder(session, self._clock).rebuild(affected)
