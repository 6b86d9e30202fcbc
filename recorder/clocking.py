"""Placing one connection's stream time on the UTC wall clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from recorder.segmenter import WallAnchor, anchor_correction_s, arrival_lag_s


class StreamClock:
    """Anchor at the first keyframe, corrected by the least-delayed packet of each segment.

    For a live camera, arrival times say where the stream is on the wall clock; durations
    always come from stream time. A file source is placed once (its start time) and never moved.
    """

    def __init__(self, live: bool, tolerance_s: float) -> None:
        self._live = live
        self._tolerance_s = tolerance_s
        self._anchor: WallAnchor | None = None
        self._settled = False
        self._min_lag_s: float | None = None

    @property
    def anchored(self) -> bool:
        return self._anchor is not None

    def anchor(self, stream_s: float, wall: datetime) -> None:
        self._anchor = WallAnchor(wall=wall, stream_s=stream_s)

    def observe(self, stream_s: float, arrival: datetime) -> None:
        assert self._anchor is not None
        lag = arrival_lag_s(self._anchor, stream_s, arrival)
        if self._min_lag_s is None or lag < self._min_lag_s:
            self._min_lag_s = lag

    def close_segment(self, segment_start_s: float) -> tuple[datetime, float | None]:
        """The wall-clock start of the segment just closed, and a clock step to report, if any."""
        assert self._anchor is not None
        shift = anchor_correction_s(self._min_lag_s, self._tolerance_s, self._settled) if self._live else 0.0
        self._min_lag_s = None
        if not self._settled:
            self._settled = True
            self._move(shift)  # the first segment itself was placed by a late anchor
            return self._anchor.wall_at(segment_start_s), None
        start = self._anchor.wall_at(segment_start_s)
        self._move(shift)  # a step seen in this segment places the next one
        return start, (shift or None)

    def _move(self, shift_s: float) -> None:
        if shift_s and self._anchor is not None:
            self._anchor = WallAnchor(self._anchor.wall + timedelta(seconds=shift_s), self._anchor.stream_s)

    def provisional_start(self, segment_start_s: float) -> datetime:
        assert self._anchor is not None
        return self._anchor.wall_at(segment_start_s)
