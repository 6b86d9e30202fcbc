"""Which segments a case's legal hold covers, and which store holds a release may lift. Pure, table-tested.

A leg's hold covers its linked run (first_seq..last_seq, padding included when linked) and every
segment of its window's camera within the padding before its call and after its end: a leg linked
before all its footage arrived, or never linked, still has its footage held.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class HeldLeg:
    camera: str
    start: datetime | None  # called, or started
    end: datetime | None  # None: still being served (the caller passes now)
    first_seq: int | None
    last_seq: int | None


@dataclass(frozen=True)
class SegmentSpan:
    key: str
    camera: str
    seq: int
    start: datetime
    end: datetime


def padded(leg: HeldLeg, pad: timedelta) -> tuple[datetime, datetime] | None:
    """The leg's time with the padding either side; None for a leg with no time."""
    if leg.start is None:
        return None
    return leg.start - pad, max(leg.start, leg.end or leg.start) + pad


def covers(leg: HeldLeg, segment: SegmentSpan, pad: timedelta) -> bool:
    if segment.camera != leg.camera:
        return False
    if leg.first_seq is not None and leg.last_seq is not None and leg.first_seq <= segment.seq <= leg.last_seq:
        return True
    span = padded(leg, pad)
    return span is not None and segment.start < span[1] and segment.end > span[0]


def covered_segments(legs: Collection[HeldLeg], segments: Collection[SegmentSpan], pad: timedelta) -> list[SegmentSpan]:
    """The segments any leg covers, by camera and sequence, each once."""
    held = {s.key: s for s in segments if any(covers(leg, s, pad) for leg in legs)}
    return sorted(held.values(), key=lambda s: (s.camera, s.seq))


def store_releases(released: Collection[str], still_held: Collection[str]) -> list[str]:
    """Keys whose store legal hold may be lifted: released by this case and held by no other open case."""
    keep = set(still_held)
    return sorted(set(released) - keep)


def seq_runs(held: Collection[tuple[str, int]]) -> list[str]:
    """(camera, seq) pairs as runs, `camera:first-last`, for an audit row that says what was held."""
    runs: list[str] = []
    ordered = sorted(set(held))
    start = 0
    for i in range(1, len(ordered) + 1):
        if i < len(ordered) and ordered[i][0] == ordered[i - 1][0] and ordered[i][1] == ordered[i - 1][1] + 1:
            continue
        camera, first, last = ordered[start][0], ordered[start][1], ordered[i - 1][1]
        runs.append(f"{camera}:{first}" if first == last else f"{camera}:{first}-{last}")
        start = i
    return runs
