"""What a retention run did (or, dry, would do): counts per centre, runs deleted, groups kept and why."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from seffaf.retention.deleter import DeletionOutcome
from seffaf.retention.periods import RetentionPeriods
from seffaf.retention.planner import PlannedSegment
from seffaf.retention.verdict import KeepReason


class DeletionRun(BaseModel):
    """Consecutive segments of one camera that went (or would go)."""

    center: str | None
    camera: str
    first_seq: int
    last_seq: int
    count: int
    start: datetime
    end: datetime
    bytes: int


class KeptGroup(BaseModel):
    """Segments of one camera kept for the same reason (same cases, findings or cut-off)."""

    center: str | None
    camera: str
    reason: KeepReason
    detail: str
    count: int
    start: datetime
    end: datetime


class FailedDeletion(BaseModel):
    key: str
    error: str


class CenterSummary(BaseModel):
    center: str | None = Field(description="null: segments recorded by a camera in no window")
    retention_days: int | None
    segments: int = Field(description="segments the catalog listed when the run started")
    deleted: int = Field(description="deleted, or in a dry run: would be deleted")
    bytes: int
    kept: dict[KeepReason, int]
    failed: int


class RetentionReport(BaseModel):
    dry_run: bool
    now: datetime
    default_days: int | None
    centers: list[CenterSummary]
    deletions: list[DeletionRun]
    kept: list[KeptGroup]
    failed: list[FailedDeletion]


def _days(period: timedelta | None) -> int | None:
    return None if period is None else period.days


class ReportBuilder:
    def __init__(self, now: datetime, dry_run: bool, periods: RetentionPeriods, totals: Mapping[str | None, int]):
        self._now = now
        self._dry_run = dry_run
        self._periods = periods
        self._totals = dict(totals)
        self._seen: dict[str | None, int] = defaultdict(int)
        self._deleted: dict[str | None, int] = defaultdict(int)
        self._bytes: dict[str | None, int] = defaultdict(int)
        self._kept: dict[str | None, dict[KeepReason, int]] = defaultdict(lambda: defaultdict(int))
        self._failed_count: dict[str | None, int] = defaultdict(int)
        self._runs: list[DeletionRun] = []
        self._groups: dict[tuple[str | None, str, KeepReason, str], KeptGroup] = {}
        self._failed: list[FailedDeletion] = []

    def seen(self, item: PlannedSegment) -> None:
        self._seen[item.facts.center] += 1

    def kept(self, item: PlannedSegment, reason: KeepReason, detail: str) -> None:
        f = item.facts
        self._kept[f.center][reason] += 1
        group_key = (f.center, f.camera, reason, detail)
        group = self._groups.get(group_key)
        if group is None:
            self._groups[group_key] = KeptGroup(center=f.center, camera=f.camera, reason=reason, detail=detail,
                                                count=1, start=f.start, end=f.end)  # fmt: skip
        else:
            group.count += 1
            group.start, group.end = min(group.start, f.start), max(group.end, f.end)

    def deleted(self, center: str | None, camera: str, seq: int, start: datetime, end: datetime, size: int) -> None:
        self._deleted[center] += 1
        self._bytes[center] += size
        last = self._runs[-1] if self._runs else None
        if last is not None and (last.camera, last.center, last.last_seq + 1) == (camera, center, seq):
            last.last_seq, last.count, last.bytes = seq, last.count + 1, last.bytes + size
            last.start, last.end = min(last.start, start), max(last.end, end)
        else:
            self._runs.append(DeletionRun(center=center, camera=camera, first_seq=seq, last_seq=seq, count=1,
                                          start=start, end=end, bytes=size))  # fmt: skip

    def outcome(self, outcome: DeletionOutcome, planned: Mapping[str, PlannedSegment]) -> None:
        for segment in outcome.deleted:
            self.deleted(segment.center, planned[segment.key].facts.camera, segment.seq, segment.start, segment.end,
                         segment.size_bytes)  # fmt: skip
        for refused in outcome.refused:  # held since it was planned
            self.kept(planned[refused.key], KeepReason.HELD, "case " + ", ".join(map(str, refused.case_ids)))
        for failed in outcome.failed:
            self._failed_count[planned[failed.key].facts.center] += 1
            self._failed.append(FailedDeletion(key=failed.key, error=failed.error))

    def report(self) -> RetentionReport:
        centers = []
        for center in sorted(set(self._totals) | set(self._seen), key=lambda c: (c is None, c or "")):
            kept = dict(self._kept[center])
            unseen = self._totals.get(center, 0) - self._seen[center]
            if unseen > 0:  # never read: younger than the shortest period, or no period at all
                reason = KeepReason.NO_RETENTION if self._periods.period(center) is None else KeepReason.TOO_YOUNG
                kept[reason] = kept.get(reason, 0) + unseen
            centers.append(CenterSummary(center=center, retention_days=_days(self._periods.period(center)),
                                         segments=self._totals.get(center, 0), deleted=self._deleted[center],
                                         bytes=self._bytes[center], kept=kept,
                                         failed=self._failed_count[center]))  # fmt: skip
        return RetentionReport(dry_run=self._dry_run, now=self._now, default_days=_days(self._periods.default),
                               centers=centers, deletions=self._runs, kept=list(self._groups.values()),
                               failed=self._failed)  # fmt: skip
