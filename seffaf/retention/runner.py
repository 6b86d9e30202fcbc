"""`seffaf retention run`: plan page by page, delete in audited batches, report what went and why the rest stays.

A dry run goes through the very same plan and stops short of the deleter, so it lists exactly
what a run at the same moment would delete (a run re-checks holds at deletion time, and reports
a segment held since as kept).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from seffaf.catalog.footage_tables import SegmentRow
from seffaf.clock import Clock
from seffaf.config import RetentionConfig
from seffaf.retention.deleter import FootageDeleter
from seffaf.retention.planner import PlannedSegment, RetentionPlanner
from seffaf.retention.report import ReportBuilder, RetentionReport
from seffaf.retention.tombstones import DeletionCause
from seffaf.retention.verdict import Delete
from seffaf.storage.base import ObjectStore

RETENTION_REASON = "retention period expired"
T = TypeVar("T")


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for offset in range(0, len(items), size):
        yield items[offset : offset + size]


def segments_per_center(session: Session) -> dict[str | None, int]:
    return {center: count for center, count in session.execute(
        select(SegmentRow.center, func.count()).group_by(SegmentRow.center))}  # fmt: skip


class RetentionRunner:
    def __init__(
        self, sessions: sessionmaker[Session], store: ObjectStore, config: RetentionConfig, clock: Clock, actor: str
    ) -> None:
        self._sessions = sessions
        self._store = store
        self._config = config
        self._clock = clock
        self._actor = actor

    def run(self, dry_run: bool) -> RetentionReport:
        now = self._clock()
        planner = RetentionPlanner(self._sessions, self._config, now)
        with self._sessions() as session:
            totals = segments_per_center(session)
        report = ReportBuilder(now, dry_run, planner.periods, totals)
        for page in planner.pages():
            doomed: list[PlannedSegment] = []
            for item in page.items:
                report.seen(item)
                if not isinstance(item.verdict, Delete):
                    report.kept(item, item.verdict.reason, item.verdict.detail)
                elif dry_run:
                    f = item.facts
                    report.deleted(f.center, f.camera, f.seq, f.start, f.end, item.size_bytes)
                else:
                    doomed.append(item)
            for chunk in _chunks(doomed, self._config.delete_batch):
                self._delete(chunk, report)
        return report.report()

    def _delete(self, chunk: Sequence[PlannedSegment], report: ReportBuilder) -> None:
        planned = {item.facts.key: item for item in chunk}
        with self._sessions() as session, session.begin():
            outcome = FootageDeleter(self._store, session, self._clock).delete(
                list(planned), actor=self._actor, reason=RETENTION_REASON, cause=DeletionCause.RETENTION
            )
        report.outcome(outcome, planned)
