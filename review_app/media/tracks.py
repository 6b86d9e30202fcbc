"""A leg's observation tracks for the player's timeline: what the analytics saw, interval by interval.

`observation_tracks` is pure (table-tested): the camera's observations over the player's span,
clipped to it, grouped into one track per thing a reviewer watches for, and the pieces each
segment contributed joined where they meet with the same value.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from indexer.leg_observations import TAMPER_KINDS, Seen
from seffaf.catalog.observation_tables import ObservationRow

TrackName = Literal["operator", "citizens", "loudness", "raised_voice", "camera"]
# Segments' pieces meet at (about) their boundaries; closer than this, equal pieces are one interval.
JOIN_GAP = timedelta(seconds=0.25)
TRACKS: tuple[tuple[TrackName, str, str | None, frozenset[str]], ...] = (
    ("operator", "Operator at the desk", None, frozenset({"operator_present", "operator_absent"})),
    ("citizens", "Citizens at the desk", "people", frozenset({"citizen_count"})),
    ("loudness", "Loudness", "LUFS", frozenset({"loudness_lufs"})),
    ("raised_voice", "Raised voices", None, frozenset({"raised_voice"})),
    ("camera", "Camera covered, blurred, moved or frozen", None, TAMPER_KINDS),
)


class TrackInterval(BaseModel):
    start: datetime
    end: datetime
    kind: str
    value: float


class ObservationTrack(BaseModel):
    name: TrackName
    label: str
    unit: str | None
    intervals: list[TrackInterval]


class LegTracks(BaseModel):
    """The tracks over the same span as the leg's player timeline (the leg with its padding)."""

    visit_id: int
    leg_index: int
    camera: str | None
    span_start: datetime | None
    span_end: datetime | None
    tracks: list[ObservationTrack]


def _joined(intervals: list[TrackInterval]) -> list[TrackInterval]:
    joined: list[TrackInterval] = []
    for item in sorted(intervals, key=lambda i: (i.start, i.kind)):
        last = joined[-1] if joined else None
        same = last is not None and (last.kind, last.value) == (item.kind, item.value)
        if last is not None and same and item.start - last.end <= JOIN_GAP:
            joined[-1] = last.model_copy(update={"end": max(last.end, item.end)})
        else:
            joined.append(item)
    return joined


def observation_tracks(seen: Sequence[Seen], span_start: datetime, span_end: datetime) -> list[ObservationTrack]:
    """Every track, in a fixed order (an empty one means nothing of that kind was seen)."""
    pieces: dict[TrackName, list[TrackInterval]] = {name: [] for name, *_ in TRACKS}
    for item in seen:
        start, end = max(item.start, span_start), min(item.end, span_end)
        if end <= start:
            continue
        for name, _, _, kinds in TRACKS:
            if item.kind in kinds:
                pieces[name].append(TrackInterval(start=start, end=end, kind=item.kind, value=item.value))
    return [track.model_copy(update={"intervals": _joined(pieces[track.name])}) for track in empty_tracks()]


def empty_tracks() -> list[ObservationTrack]:
    """The tracks of a leg nothing films (no camera at its window, or no time)."""
    return [ObservationTrack(name=name, label=label, unit=unit, intervals=[]) for name, label, unit, _ in TRACKS]


def camera_observations(session: Session, camera: str, start: datetime, end: datetime) -> list[Seen]:
    query = select(ObservationRow.kind, ObservationRow.start, ObservationRow.end, ObservationRow.value).where(
        ObservationRow.camera == camera, ObservationRow.start < end, ObservationRow.end > start
    )
    return [Seen(kind, lo, hi, value) for kind, lo, hi, value in session.execute(query)]
