"""retention_verdict and the finding sweep: table tests of the pure decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from seffaf.retention.finding_links import FindingMatcher, FindingSpan
from seffaf.retention.periods import RetentionPeriods
from seffaf.retention.verdict import Delete, Keep, KeepReason, SegmentFacts, retention_verdict

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PERIOD = timedelta(days=30)
OLD = NOW - PERIOD - timedelta(hours=1)


def facts(end: datetime = OLD, verified: bool | None = True, holds: tuple[int, ...] = (),
          findings: tuple[int, ...] = ()) -> SegmentFacts:  # fmt: skip
    return SegmentFacts(key="k", camera="cam", seq=1, center="c1", start=end - timedelta(seconds=10), end=end,
                        verified_ok=verified, hold_cases=holds, undecided_findings=findings)  # fmt: skip


@pytest.mark.parametrize(
    ("segment", "period", "reason", "detail"),
    [
        (facts(), None, KeepReason.NO_RETENTION, "no retention period"),
        (facts(end=NOW - timedelta(days=2)), PERIOD, KeepReason.TOO_YOUNG, "2026-05-02T12:00:00+00:00"),
        (facts(end=NOW - PERIOD + timedelta(seconds=1)), PERIOD, KeepReason.TOO_YOUNG, "cut-off"),
        (facts(holds=(7, 3)), PERIOD, KeepReason.HELD, "case 3, 7"),
        (facts(holds=(3,), findings=(9,), verified=None), PERIOD, KeepReason.HELD, "case 3"),
        (facts(findings=(9, 4)), PERIOD, KeepReason.UNDECIDED_FINDING, "finding 4, 9"),
        (facts(verified=False), PERIOD, KeepReason.VERIFICATION_FAILED, "did not match"),
        (facts(verified=None), PERIOD, KeepReason.NOT_VERIFIED, "not yet verified"),
        (facts(end=NOW - timedelta(days=2), holds=(3,)), PERIOD, KeepReason.TOO_YOUNG, "cut-off"),
    ],
)
def test_a_segment_stays_for_the_first_reason_that_applies(
    segment: SegmentFacts, period: timedelta | None, reason: KeepReason, detail: str
) -> None:
    verdict = retention_verdict(segment, NOW, period)
    assert isinstance(verdict, Keep) and verdict.reason is reason and detail in verdict.detail


@pytest.mark.parametrize("end", [NOW - PERIOD, OLD, NOW - timedelta(days=400)])
def test_an_old_verified_unheld_segment_goes(end: datetime) -> None:
    assert retention_verdict(facts(end=end), NOW, PERIOD) == Delete(NOW - PERIOD - end)


def test_periods_fall_back_to_the_default_and_the_shortest_bounds_the_plan() -> None:
    periods = RetentionPeriods(default=timedelta(days=90), by_center={"c1": timedelta(days=7)})
    assert [periods.period(c) for c in ("c1", "c2", None)] == [timedelta(days=7), timedelta(days=90),
                                                                 timedelta(days=90)]  # fmt: skip
    assert periods.shortest() == timedelta(days=7)
    assert RetentionPeriods(default=None, by_center={}).shortest() is None


def span(fid: int, start_min: int, end_min: int) -> FindingSpan:
    return FindingSpan(fid, NOW + timedelta(minutes=start_min), NOW + timedelta(minutes=end_min))


@pytest.mark.parametrize(
    ("segments", "expected"),
    [
        ([(0, 1), (1, 2), (5, 6)], [(1,), (1, 2), ()]),  # half-open: ending at a span's start is no overlap
        ([(-10, -9), (30, 31), (59, 61), (70, 71)], [(), (3,), (3,), ()]),
        ([(2, 3), (4, 90)], [(2,), (2, 3)]),  # a long segment reaches a later span
    ],
)
def test_finding_matcher_finds_overlapping_spans_in_one_sweep(
    segments: list[tuple[int, int]], expected: list[tuple[int, ...]]
) -> None:
    matcher = FindingMatcher([span(3, 30, 60), span(1, 0, 2), span(2, 1, 5)])
    got = [matcher.overlapping(NOW + timedelta(minutes=a), NOW + timedelta(minutes=b)) for a, b in segments]
    assert [tuple(sorted(ids)) for ids in got] == expected


def test_finding_matcher_insists_on_start_order() -> None:
    matcher = FindingMatcher([])
    matcher.overlapping(NOW, NOW + timedelta(seconds=10))
    with pytest.raises(ValueError, match="start order"):
        matcher.overlapping(NOW - timedelta(seconds=10), NOW)
