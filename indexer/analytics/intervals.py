"""Pure interval building: per-sample decisions at offsets (seconds) into spans of time.

A sample at offset ``t_i`` stands for ``[t_i, t_{i+1})``; the last one for ``[t_n, end)`` where
``end`` is the segment's duration (or ``t_n`` plus the typical sampling period when unknown).
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Interval:
    start_s: float
    end_s: float
    confidence: float = 1.0
    value: float = 0.0  # detector-specific summary (e.g. median score over the span)

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class ValueSpan:
    start_s: float
    end_s: float
    value: int
    confidence: float


def margin_confidence(value: float, threshold: float, scale: float) -> float:
    """0.5 at the threshold, rising linearly to 1.0 at ``scale`` away from it (either side)."""
    if scale <= 0 or math.isnan(value):
        return 0.5
    return 0.5 + 0.5 * min(1.0, abs(value - threshold) / scale)


def sample_bounds(offsets: Sequence[float], duration_s: float | None) -> list[tuple[float, float]]:
    """``[start, end)`` of the time each sample stands for."""
    if not offsets:
        return []
    steps = [b - a for a, b in itertools.pairwise(offsets) if b > a]
    period = statistics.median(steps) if steps else 1.0
    last_end = offsets[-1] + period
    if duration_s is not None and duration_s > offsets[-1]:
        last_end = duration_s
    ends = [*offsets[1:], last_end]
    return list(zip(offsets, ends, strict=True))


def flag_intervals(
    offsets: Sequence[float],
    flags: Sequence[bool],
    duration_s: float | None,
    *,
    scores: Sequence[float] | None = None,
    confidences: Sequence[float] | None = None,
    min_duration_s: float = 0.0,
    max_gap_s: float = 0.0,
) -> list[Interval]:
    """Spans where ``flags`` hold; gaps up to ``max_gap_s`` are bridged, spans under ``min_duration_s``
    dropped. ``value`` is the median score and ``confidence`` the mean confidence of the flagged samples."""
    if len(flags) != len(offsets):
        raise ValueError("offsets and flags differ in length")
    runs: list[tuple[float, float, list[int]]] = []
    for index, ((start, end), flag) in enumerate(zip(sample_bounds(offsets, duration_s), flags, strict=True)):
        if not flag:
            continue
        if runs and start - runs[-1][1] <= max_gap_s + 1e-9:
            runs[-1] = (runs[-1][0], end, [*runs[-1][2], index])
        else:
            runs.append((start, end, [index]))
    out: list[Interval] = []
    for start, end, members in runs:
        if end - start + 1e-9 < min_duration_s:
            continue
        value = statistics.median(scores[i] for i in members) if scores is not None else 0.0
        confidence = statistics.fmean(confidences[i] for i in members) if confidences is not None else 1.0
        out.append(Interval(start_s=start, end_s=end, confidence=confidence, value=float(value)))
    return out


def value_spans(
    offsets: Sequence[float],
    values: Sequence[int],
    duration_s: float | None,
    *,
    confidences: Sequence[float] | None = None,
    min_dwell_s: float = 0.0,
) -> list[ValueSpan]:
    """Run-length spans of ``values``; a run shorter than ``min_dwell_s`` is merged into its longer
    neighbour (a one-sample blip does not split a span)."""
    if len(values) != len(offsets):
        raise ValueError("offsets and values differ in length")
    conf = list(confidences) if confidences is not None else [1.0] * len(values)
    runs: list[tuple[float, float, int, list[float]]] = []
    for (start, end), value, c in zip(sample_bounds(offsets, duration_s), values, conf, strict=True):
        if runs and runs[-1][2] == value:
            runs[-1] = (runs[-1][0], end, value, [*runs[-1][3], c])
        else:
            runs.append((start, end, value, [c]))
    while len(runs) > 1:
        short = [i for i, r in enumerate(runs) if r[1] - r[0] + 1e-9 < min_dwell_s]
        if not short:
            break
        i = min(short, key=lambda k: runs[k][1] - runs[k][0])
        left = runs[i - 1] if i > 0 else None
        right = runs[i + 1] if i + 1 < len(runs) else None
        into = i - 1 if right is None or (left is not None and left[1] - left[0] >= right[1] - right[0]) else i + 1
        merged_start = min(runs[i][0], runs[into][0])
        merged_end = max(runs[i][1], runs[into][1])
        # Absorbed samples count against the span's confidence: they disagreed with it.
        absorbed = [1.0 - c for c in runs[i][3]]
        merged = (merged_start, merged_end, runs[into][2], [*runs[into][3], *absorbed])
        lo, hi = min(i, into), max(i, into)
        runs[lo : hi + 1] = [merged]
        # Neighbours may now carry the same value: join them.
        joined: list[tuple[float, float, int, list[float]]] = []
        for run in runs:
            if joined and joined[-1][2] == run[2]:
                joined[-1] = (joined[-1][0], run[1], run[2], [*joined[-1][3], *run[3]])
            else:
                joined.append(run)
        runs = joined
    return [ValueSpan(start_s=s, end_s=e, value=v, confidence=statistics.fmean(c)) for s, e, v, c in runs]
