"""Pure decisions of the recorder: where a segment ends, how stream time maps to wall time.

No I/O here; every rule has a row in tests/recorder/test_segmenter.py.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta


def segment_should_end(segment_start_s: float, packet_s: float, is_video_keyframe: bool, target_s: float) -> bool:
    """Cut on the first video keyframe at or after the target length."""
    return is_video_keyframe and packet_s - segment_start_s >= target_s


@dataclass(frozen=True)
class WallAnchor:
    """Ties one point of the stream clock to the wall clock (UTC).

    Durations always come from stream time; the wall clock only places the stream.
    """

    wall: datetime
    stream_s: float

    def wall_at(self, stream_s: float) -> datetime:
        return self.wall + timedelta(seconds=stream_s - self.stream_s)


def arrival_lag_s(anchor: WallAnchor, stream_s: float, arrival: datetime) -> float:
    """How much later than the anchor predicts a packet arrived (negative: earlier)."""
    return (arrival - anchor.wall_at(stream_s)).total_seconds()


EARLY_ARRIVAL_S = 0.05


def anchor_correction_s(min_lag_s: float | None, tolerance_s: float, settled: bool) -> float:
    """How far to move the anchor after a segment, from its least-delayed packet.

    A packet cannot arrive before it was captured, so on a connection's first segment any
    early arrival means the anchor itself was late (the demuxer buffers the first packets
    while it probes the stream): correct it fully. Later, only a disagreement beyond the
    tolerance (a clock step, or drift) moves the anchor; small lags are network latency.
    """
    if min_lag_s is None:
        return 0.0
    if not settled and min_lag_s < -EARLY_ARRIVAL_S:
        return min_lag_s
    return min_lag_s if abs(min_lag_s) > tolerance_s else 0.0


def backoff_delay_s(attempt: int, initial_s: float, max_s: float, rng: random.Random) -> float:
    """Exponential backoff with full jitter in [50 %, 100 %] of the capped delay."""
    capped = min(max_s, initial_s * (2 ** max(0, attempt)))
    return float(capped * (0.5 + 0.5 * rng.random()))


def gap_needed(accounted_until: datetime | None, next_start: datetime, tolerance_s: float) -> bool:
    """A new segment leaves a gap when it starts later than the timeline was accounted for."""
    if accounted_until is None:
        return False
    return (next_start - accounted_until).total_seconds() > tolerance_s
