"""Which footage shows a session leg, and how much of the leg it covers (pure, table-tested).

A leg is linked to every segment of its window's camera overlapping [start - pad, end + pad],
with in/out offsets into each segment. Coverage is measured over the leg itself: covered
seconds / leg seconds, and every hole inside the leg with its cause: a recorded gap (the
recorder said why) or unexplained (footage missing with no record: itself evidence).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# Seconds of footage linked before and after each leg (`seffaf index --pad`).
DEFAULT_PAD_S = 30.0
UNEXPLAINED = "unexplained"
# Before a camera's first segment or gap record nobody was filming that window with seffaf yet
# (a camera installed later, a centre joining): missing footage there is not a recording gap.
BEFORE_RECORDING = "before_recording"
ALWAYS_RECORDING = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Span:
    key: str
    start: datetime
    end: datetime
    cause: str = ""  # gaps only
    seq: int = 0  # segments only


@dataclass(frozen=True)
class Hole:
    start: datetime
    end: datetime
    cause: str  # "recorded:<gap cause>", "unexplained" or "before_recording"

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True)
class SegmentLink:
    key: str
    in_offset_s: float
    out_offset_s: float
    seq: int = 0


@dataclass(frozen=True)
class Coverage:
    covered_s: float
    total_s: float
    holes: tuple[Hole, ...]
    links: tuple[SegmentLink, ...]

    @property
    def ratio(self) -> float:
        return 1.0 if self.total_s <= 0 else min(1.0, self.covered_s / self.total_s)


def _merge(intervals: Sequence[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _complement(
    covered: Sequence[tuple[datetime, datetime]], start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    holes, cursor = [], start
    for seg_start, seg_end in covered:
        if seg_start > cursor:
            holes.append((cursor, min(seg_start, end)))
        cursor = max(cursor, seg_end)
        if cursor >= end:
            break
    if cursor < end:
        holes.append((cursor, end))
    return [(a, b) for a, b in holes if b > a]


def _explain(hole: tuple[datetime, datetime], gaps: Sequence[Span]) -> list[Hole]:
    """Split a hole into the parts recorded gaps explain and the parts nothing explains."""
    start, end = hole
    parts: list[Hole] = []
    cursor = start
    for gap in sorted(gaps, key=lambda g: g.start):
        if gap.end <= cursor or gap.start >= end:
            continue
        if gap.start > cursor:
            parts.append(Hole(cursor, gap.start, UNEXPLAINED))
        parts.append(Hole(max(cursor, gap.start), min(end, gap.end), f"recorded:{gap.cause}"))
        cursor = min(end, gap.end)
    if cursor < end:
        parts.append(Hole(cursor, end, UNEXPLAINED))
    return [p for p in parts if p.end > p.start]


def _before_recording(hole: tuple[datetime, datetime], since: datetime | None) -> tuple[list[Hole], datetime]:
    start, end = hole
    if since is None:
        return [Hole(start, end, BEFORE_RECORDING)], end
    if since <= start:
        return [], start
    cut = min(since, end)
    return [Hole(start, cut, BEFORE_RECORDING)], cut


def link_leg(
    start: datetime,
    end: datetime,
    pad_s: float,
    segments: Sequence[Span],
    gaps: Sequence[Span],
    recording_since: datetime | None = ALWAYS_RECORDING,
) -> Coverage:
    """Links over the padded leg; coverage and holes over the leg itself.

    `recording_since`: the camera's first segment or gap record (None: it has none yet).
    """
    if end < start:
        raise ValueError(f"leg ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    pad = timedelta(seconds=pad_s)
    window_start, window_end = start - pad, end + pad
    links = tuple(
        SegmentLink(
            seg.key,
            round((max(seg.start, window_start) - seg.start).total_seconds(), 6),
            round((min(seg.end, window_end) - seg.start).total_seconds(), 6),
            seg.seq,
        )
        for seg in sorted(segments, key=lambda s: (s.start, s.key))
        if seg.start < window_end and seg.end > window_start
    )
    inside = _merge([(max(s.start, start), min(s.end, end)) for s in segments if s.start < end and s.end > start])
    covered = sum((b - a).total_seconds() for a, b in inside)
    holes: list[Hole] = []
    for hole in _complement(inside, start, end):
        before, rest_start = _before_recording(hole, recording_since)
        holes += before
        if rest_start < hole[1]:
            holes += _explain((rest_start, hole[1]), gaps)
    return Coverage(round(covered, 6), round((end - start).total_seconds(), 6), tuple(holes), links)
