"""Which segments a leg's hold covers (its linked run, and its camera's segments within the padding) and which
store holds a release may lift, as tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from seffaf.cases.hold_cover import HeldLeg, SegmentSpan, covered_segments, seq_runs, store_releases

T = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)
PAD = timedelta(seconds=30)


def seg(seq: int, start: float, end: float, camera: str = "w07") -> SegmentSpan:
    return SegmentSpan(f"{camera}/{seq}", camera, seq, T + timedelta(seconds=start), T + timedelta(seconds=end))


def leg(start: float | None, end: float | None, first: int | None = None, last: int | None = None) -> HeldLeg:
    def at(seconds: float | None) -> datetime | None:
        return None if seconds is None else T + timedelta(seconds=seconds)

    return HeldLeg("w07", at(start), at(end), first, last)


SEGMENTS = [seg(1, 0, 10), seg(2, 10, 20), seg(3, 20, 30), seg(4, 100, 110), seg(5, 130, 140), seg(6, 140, 150),
            seg(7, 200, 210), seg(8, 100, 110, camera="w12")]  # fmt: skip


@pytest.mark.parametrize(
    ("legs", "held"),
    [
        ([leg(120, 125)], [4, 5, 6]),  # 90..155 s: seq 4 ends after 90, seq 6 starts before 155
        ([leg(60, 80)], [4]),  # 30..110 s: seq 3 ends at 30 (touching, not overlapping), seq 4 starts before 110
        ([leg(60, 80, first=1, last=2)], [1, 2, 4]),  # the linked run, though older than the padding
        ([leg(300, None)], []),  # never ended: held around its call (270..330 s): nothing there
        ([leg(None, None, first=6, last=7)], [6, 7]),  # no times at all: only the linked run
        ([leg(5, 8), leg(205, 206)], [1, 2, 3, 7]),  # two legs, each its own footage
        ([], []),
    ],
)
def test_covered_segments(legs: list[HeldLeg], held: list[int]) -> None:
    covered = covered_segments(legs, SEGMENTS, PAD)
    assert [s.seq for s in covered] == held
    assert all(s.camera == "w07" for s in covered)  # another window's camera is never held


@pytest.mark.parametrize(
    ("released", "still_held", "lifted"),
    [
        (["a", "b"], [], ["a", "b"]),
        (["a", "b"], ["b"], ["a"]),  # another open case holds b: its store hold stays
        ([], ["a"], []),
    ],
)
def test_store_releases(released: list[str], still_held: list[str], lifted: list[str]) -> None:
    assert store_releases(released, still_held) == lifted


@pytest.mark.parametrize(
    ("held", "runs"),
    [
        ([("w07", 3), ("w07", 1), ("w07", 2), ("w07", 7)], ["w07:1-3", "w07:7"]),
        ([("w07", 1), ("w12", 2), ("w12", 3)], ["w07:1", "w12:2-3"]),
        ([], []),
    ],
)
def test_seq_runs(held: list[tuple[str, int]], runs: list[str]) -> None:
    assert seq_runs(held) == runs
