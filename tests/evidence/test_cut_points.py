"""Where a clip is cut: segments overlapping the leg, the keyframe it starts on, where segments land."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from seffaf.evidence.cut_points import CutError, SegmentCut, SegmentSpan, plan_cuts, segment_offset, start_keyframe

T0 = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


# The recorded test footage: 10, 10, 5 s, a 15 s hole, 10, 10, 5 s.
FOOTAGE = [SegmentSpan(1, at(0), at(10)), SegmentSpan(2, at(10), at(20)), SegmentSpan(3, at(20), at(25)),
           SegmentSpan(4, at(40), at(50)), SegmentSpan(5, at(50), at(60)), SegmentSpan(6, at(60), at(65))]  # fmt: skip


@pytest.mark.parametrize(
    ("start_s", "end_s", "cuts"),
    [
        (
            8,
            50,
            [SegmentCut(1, 8.0, None), SegmentCut(2, None, None), SegmentCut(3, None, None), SegmentCut(4, None, None)],
        ),  # fmt: skip  the leg ends exactly where seq 5 starts
        (12, 18, [SegmentCut(2, 2.0, 8.0)]),  # inside one segment
        (0, 65, [SegmentCut(s, 0.0 if s == 1 else None, None) for s in range(1, 7)]),
        (30, 45, [SegmentCut(4, 0.0, 5.0)]),  # starts in the hole: from the first segment after it
        (27, 38, []),  # entirely in the hole: no footage
        (70, 80, []),
    ],
)
def test_plan_cuts(start_s: float, end_s: float, cuts: list[SegmentCut]) -> None:
    assert plan_cuts(FOOTAGE, at(start_s), at(end_s)) == cuts


def test_plan_refuses_a_leg_ending_before_it_starts() -> None:
    with pytest.raises(CutError, match="before it starts"):
        plan_cuts(FOOTAGE, at(10), at(10))


@pytest.mark.parametrize(
    ("keyframes", "from_s", "chosen"),
    [
        ([0.0, 2.0, 4.0, 6.0, 8.0], 8.0, 8.0),  # a keyframe exactly at the start
        ([0.0, 2.0, 4.0, 6.0, 8.0], 7.99, 6.0),  # never late: the one before
        ([0.0, 2.128, 4.128, 6.128, 8.128], 8.0, 6.128),
        ([8.0, 0.0, 4.0], 5.0, 4.0),  # unordered input
        ([1.0, 3.0], 0.0, 1.0),  # the segment's first keyframe comes after the start
    ],
)
def test_start_keyframe(keyframes: list[float], from_s: float, chosen: float) -> None:
    assert start_keyframe(keyframes, from_s) == chosen


def test_no_keyframe_cannot_start_a_stream_copy() -> None:
    with pytest.raises(CutError, match="no keyframe"):
        start_keyframe([], 0.0)


@pytest.mark.parametrize(
    ("prev_end", "wall", "landing"),
    [
        (10.128, 10.0, 10.128),  # overlaps by a few frames: continue after the last packet
        (9.96, 10.0, 9.96),  # a frame short: still a join, no jump
        (10.0, 10.5, 10.0),  # at the tolerance
        (25.0, 40.0, 40.0),  # a hole: at its wall-clock place
    ],
)
def test_segment_offset(prev_end: float, wall: float, landing: float) -> None:
    assert segment_offset(prev_end, wall, 0.5) == landing
