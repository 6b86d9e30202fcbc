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


def _union_s(spans: list[tuple[datetime, datetime]]) -> float:
    """Seconds covered, counting overlaps once: consecutive segments' spans share their boundary frame."""
    total, reach = 0.0, None
    for lo, hi in sorted(spans):
        if reach is not None and lo < reach:
            lo = reach
        if hi > lo:
            total += (hi - lo).total_seconds()
        reach = hi if reach is None else max(reach, hi)
    return round(total, 3)


def aggregate(observations: Sequence[Seen], start: datetime, end: datetime) -> LegObservations:
    spans: dict[str, list[tuple[datetime, datetime]]] = {
        "operator_present": [], "operator_absent": [], "citizen_seen": [], "raised_voice": [], "tamper": []
    }  # fmt: skip
    citizen_max = 0
    loudness: float | None = None
    raised: list[Interval] = []
    tamper: list[Interval] = []
    absent: list[Interval] = []
    for seen in observations:
        span = _clip(seen, start, end)
        if span is None:
            continue
        if seen.kind in ("operator_present", "operator_absent"):
            spans[seen.kind].append(span)
            if seen.kind == "operator_absent":
                absent.append(Interval(span[0], span[1], seen.kind))
        elif seen.kind == "citizen_count" and seen.value >= 1:
            spans["citizen_seen"].append(span)
            citizen_max = max(citizen_max, int(seen.value))
        elif seen.kind == "raised_voice":
            spans["raised_voice"].append(span)
            raised.append(Interval(span[0], span[1], seen.kind))
        elif seen.kind in TAMPER_KINDS:
            spans["tamper"].append(span)
            tamper.append(Interval(span[0], span[1], seen.kind))
        elif seen.kind == "loudness_lufs":
            loudness = seen.value if loudness is None else max(loudness, seen.value)
    return LegObservations(
        operator_present_s=_union_s(spans["operator_present"]),
        operator_absent_s=_union_s(spans["operator_absent"]),
        citizen_seen_s=_union_s(spans["citizen_seen"]),
        citizen_max=citizen_max,
        raised_voice_s=_union_s(spans["raised_voice"]),
        tamper_s=_union_s(spans["tamper"]),
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
