from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from recorder.segmenter import (
    WallAnchor,
    anchor_correction_s,
    arrival_lag_s,
    backoff_delay_s,
    gap_needed,
    segment_should_end,
)

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "now", "keyframe", "target", "expected"),
    [
        (0.0, 9.96, True, 10.0, False),  # keyframe just before the target: keep going
        (0.0, 10.0, True, 10.0, True),  # keyframe exactly at the target: cut
        (0.0, 10.0, False, 10.0, False),  # never cut on a non-keyframe
        (0.0, 14.0, False, 10.0, False),  # long GOP: wait for the keyframe
        (0.0, 14.0, True, 10.0, True),  # first keyframe after the target
        (100.0, 105.0, True, 10.0, False),  # relative to the segment start
        (100.0, 110.04, True, 10.0, True),
    ],
)
def test_segment_ends_on_first_keyframe_at_or_after_target(
    start: float, now: float, keyframe: bool, target: float, expected: bool
) -> None:
    assert segment_should_end(start, now, keyframe, target) is expected


def test_wall_time_follows_stream_time_from_the_anchor() -> None:
    anchor = WallAnchor(wall=T0, stream_s=1000.0)
    assert anchor.wall_at(1010.5) == T0 + timedelta(seconds=10.5)
    assert anchor.wall_at(999.0) == T0 - timedelta(seconds=1)


@pytest.mark.parametrize(
    ("min_lag", "settled", "shift"),
    [
        (None, False, 0.0),  # no packets measured: keep
        (0.3, False, 0.0),  # network latency: keep
        (-0.02, False, 0.0),  # scheduling noise
        (-0.9, False, -0.9),  # first segment: demuxer buffered while probing, anchor was late
        (-0.9, True, 0.0),  # later: within tolerance, keep segments contiguous
        (-1.9, True, 0.0),
        (3600.0, True, 3600.0),  # wall clock stepped forward an hour
        (-3600.0, True, -3600.0),  # wall clock stepped back an hour
        (2.5, True, 2.5),  # slow drift finally beyond tolerance
        (2.5, False, 2.5),
    ],
)
def test_anchor_correction_from_the_least_delayed_packet(min_lag: float | None, settled: bool, shift: float) -> None:
    assert anchor_correction_s(min_lag, 2.0, settled) == pytest.approx(shift)


def test_arrival_lag_is_positive_for_late_packets() -> None:
    anchor = WallAnchor(wall=T0, stream_s=0.0)
    assert arrival_lag_s(anchor, 10.0, T0 + timedelta(seconds=10.25)) == pytest.approx(0.25)
    assert arrival_lag_s(anchor, 10.0, T0 + timedelta(seconds=9.0)) == pytest.approx(-1.0)


@pytest.mark.parametrize(
    ("accounted", "next_start", "tolerance", "expected"),
    [
        (None, T0, 0.5, False),  # first segment ever
        (T0, T0, 0.5, False),  # continuous
        (T0, T0 + timedelta(seconds=0.4), 0.5, False),  # jitter
        (T0, T0 + timedelta(seconds=20), 0.5, True),  # camera was down
        (T0, T0 - timedelta(hours=1), 0.5, False),  # overlap (clock stepped back): no gap
    ],
)
def test_gap_needed(accounted: datetime | None, next_start: datetime, tolerance: float, expected: bool) -> None:
    assert gap_needed(accounted, next_start, tolerance) is expected


@pytest.mark.parametrize("attempt", [0, 1, 2, 3, 5, 10, 50])
def test_backoff_grows_exponentially_with_jitter_and_is_capped(attempt: int) -> None:
    rng = random.Random(attempt)
    delay = backoff_delay_s(attempt, 1.0, 30.0, rng)
    ceiling = min(30.0, 2.0**attempt)
    assert ceiling / 2 <= delay <= ceiling
