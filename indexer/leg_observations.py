"""What the analytics saw during one session leg, summed up (pure, table-tested).

Per-segment observations are clipped to the leg and added up into the figures reviewers and
the ethics rules ask about: how long the operator was away, whether a citizen was ever seen,
how long voices were raised, whether the camera was tampered with.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

TAMPER_KINDS = frozenset({"black", "defocus", "moved", "frozen"})


@dataclass(frozen=True)
class Seen:
    """One stored observation, as far as aggregation needs it."""

    kind: str
    start: datetime
    end: datetime
    value: float


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime
    kind: str


@dataclass(frozen=True)
class LegObservations:
    operator_present_s: float
    operator_absent_s: float
    citizen_seen_s: float
    citizen_max: int
    raised_voice_s: float
    tamper_s: float
    loudness_max_lufs: float | None
    raised_voice: tuple[Interval, ...]
    tamper: tuple[Interval, ...]
    operator_absent: tuple[Interval, ...] = ()


def _clip(seen: Seen, start: datetime, end: datetime) -> tuple[datetime, datetime] | None:
    lo, hi = max(seen.start, start), min(seen.end, end)
    return (lo, hi) if hi > lo else None


def aggregate(observations: Sequence[Seen], start: datetime, end: datetime) -> LegObservations:
    totals = {"operator_present": 0.0, "operator_absent": 0.0, "citizen_seen": 0.0, "raised_voice": 0.0,
              "tamper": 0.0}  # fmt: skip
    citizen_max = 0
    loudness: float | None = None
    raised: list[Interval] = []
    tamper: list[Interval] = []
    absent: list[Interval] = []
    for seen in observations:
        span = _clip(seen, start, end)
        if span is None:
            continue
        seconds = (span[1] - span[0]).total_seconds()
        if seen.kind in ("operator_present", "operator_absent"):
            totals[seen.kind] += seconds
            if seen.kind == "operator_absent":
                absent.append(Interval(span[0], span[1], seen.kind))
        elif seen.kind == "citizen_count" and seen.value >= 1:
            totals["citizen_seen"] += seconds
            citizen_max = max(citizen_max, int(seen.value))
        elif seen.kind == "raised_voice":
            totals["raised_voice"] += seconds
            raised.append(Interval(span[0], span[1], seen.kind))
        elif seen.kind in TAMPER_KINDS:
            totals["tamper"] += seconds
            tamper.append(Interval(span[0], span[1], seen.kind))
        elif seen.kind == "loudness_lufs":
            loudness = seen.value if loudness is None else max(loudness, seen.value)
    return LegObservations(
        operator_present_s=round(totals["operator_present"], 3),
        operator_absent_s=round(totals["operator_absent"], 3),
        citizen_seen_s=round(totals["citizen_seen"], 3),
        citizen_max=citizen_max,
        raised_voice_s=round(totals["raised_voice"], 3),
        tamper_s=round(totals["tamper"], 3),
        loudness_max_lufs=loudness,
        raised_voice=tuple(sorted(raised, key=lambda i: i.start)),
        tamper=tuple(sorted(tamper, key=lambda i: (i.start, i.kind))),
        operator_absent=tuple(_joined(sorted(absent, key=lambda i: i.start))),
    )


def _joined(intervals: list[Interval]) -> list[Interval]:
    """Adjacent pieces (one per segment) as one interval, as a reviewer would want to watch them."""
    joined: list[Interval] = []
    for interval in intervals:
        if joined and interval.start <= joined[-1].end and interval.kind == joined[-1].kind:
            joined[-1] = Interval(joined[-1].start, max(joined[-1].end, interval.end), interval.kind)
        else:
            joined.append(interval)
    return joined
