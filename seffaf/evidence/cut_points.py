"""Where a leg's clip is cut: which segments, from which keyframe, to which moment; where each lands.

Pure decisions on wall-clock spans and stream offsets; seffaf/evidence/clip.py does the I/O.
Stream copy can only start on a keyframe, so a clip begins at the last keyframe at or before the
leg's start (a few seconds early, never late) and ends at the leg's end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# Stream timestamps and the wall clock disagree by a frame or two at segment joins; a larger
# distance between one segment's end and the next one's start is a hole in the footage.
JOIN_TOLERANCE_S = 0.5
# A keyframe this close after the cut point counts as "at" it (timestamps are rounded).
KEYFRAME_EPSILON_S = 1e-6


class CutError(ValueError):
    """Footage a clip cannot be cut from; the message names what is wrong."""


@dataclass(frozen=True)
class SegmentSpan:
    seq: int
    start: datetime
    end: datetime


@dataclass(frozen=True)
class SegmentCut:
    """One segment's part of the clip, in seconds of the segment's own timeline."""

    seq: int
    from_s: float | None  # the first segment: start at the keyframe at or before this; None: from its start
    until_s: float | None  # the last segment: packets from here on are left out; None: to its end


def plan_cuts(spans: list[SegmentSpan], leg_start: datetime, leg_end: datetime) -> list[SegmentCut]:
    """The segments overlapping [leg_start, leg_end), in seq order, with the first and last cut."""
    if leg_end <= leg_start:
        raise CutError(f"leg ends ({leg_end.isoformat()}) before it starts ({leg_start.isoformat()})")
    chosen = sorted((s for s in spans if s.end > leg_start and s.start < leg_end), key=lambda s: s.seq)
    cuts = []
    for position, span in enumerate(chosen):
        from_s = max(0.0, (leg_start - span.start).total_seconds()) if position == 0 else None
        last = position == len(chosen) - 1
        until_s = (leg_end - span.start).total_seconds() if last and leg_end < span.end else None
        cuts.append(SegmentCut(span.seq, from_s, until_s))
    return cuts


def start_keyframe(keyframes_s: list[float], from_s: float) -> float:
    """The last keyframe at or before `from_s`; the first one when the segment starts later."""
    if not keyframes_s:
        raise CutError("the segment has no keyframe: a stream copy cannot start in it")
    ordered = sorted(keyframes_s)
    before = [k for k in ordered if k <= from_s + KEYFRAME_EPSILON_S]
    return before[-1] if before else ordered[0]


def segment_offset(prev_end_s: float, wall_offset_s: float, tolerance_s: float = JOIN_TOLERANCE_S) -> float:
    """Where a segment's time 0 lands in the clip.

    Right after the previous segment's last packet when the two join (so timestamps run on without
    a jump or an overlap); at its wall-clock place after a hole, which players show as a still picture
    and which keeps clip time = wall time - clip start.
    """
    if wall_offset_s - prev_end_s > tolerance_s:
        return wall_offset_s
    return prev_end_s
