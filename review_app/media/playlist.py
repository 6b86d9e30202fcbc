"""An HLS playlist and a timeline map for a stretch of one camera's footage (pure, table-tested).

Every stored segment is a self-contained fragmented MP4 (its own ftyp+moov, timestamps from
zero), so each one gets its own EXT-X-MAP and an EXT-X-DISCONTINUITY before it (RFC 8216
4.3.2.3: the timestamp sequence restarts). hls.js then places each file's first timestamp where
the files before it end: the player's time axis is the segments laid end to end, and holes in
the wall clock take no player time. The timeline map records that axis from the catalogued
durations; hls.js corrects it by each file's real duration as it parses them (stored files run
a little longer than catalogued), so static/player.js matches hls.js' fragments to the map by
EXT-X-PROGRAM-DATE-TIME, which is written for every segment.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel

from indexer.coverage import Span, link_leg

HLS_VERSION = 7


@dataclass(frozen=True)
class SegmentRef:
    """A catalogued segment as the playlist needs it (no media bytes are read)."""

    camera: str
    seq: int
    start: datetime
    end: datetime
    duration_s: float


@dataclass(frozen=True)
class GapRef:
    start: datetime
    end: datetime
    cause: str


class TimelineSegment(BaseModel):
    seq: int
    start: datetime
    end: datetime
    duration_s: float
    player_start_s: float


class TimelineHole(BaseModel):
    start: datetime
    end: datetime
    cause: str


class Timeline(BaseModel):
    """Wall clock <-> player time for one playlist, from catalogued durations (hls.js refines the offsets)."""

    camera: str
    span_start: datetime
    span_end: datetime
    duration_s: float
    segments: list[TimelineSegment]
    holes: list[TimelineHole]


def build_timeline(
    camera: str, segments: Sequence[SegmentRef], span_start: datetime, span_end: datetime, gaps: Sequence[GapRef] = ()
) -> Timeline:
    """Lay the segments overlapping [span_start, span_end) end to end, in recording (seq) order."""
    playable = sorted(
        (s for s in segments if s.camera == camera and s.duration_s > 0 and s.start < span_end and s.end > span_start),
        key=lambda s: s.seq,
    )
    laid: list[TimelineSegment] = []
    cursor = 0.0
    for segment in playable:
        duration = _extinf(segment.duration_s)
        laid.append(TimelineSegment(seq=segment.seq, start=segment.start, end=segment.end, duration_s=duration,
                                    player_start_s=round(cursor, 6)))  # fmt: skip
        cursor += duration
    # The same hole finding as a leg's coverage: recorded gaps named, the rest "unexplained".
    coverage = link_leg(
        span_start, span_end, 0.0,
        [Span(str(s.seq), s.start, s.end, seq=s.seq) for s in playable],
        [Span("", g.start, g.end, g.cause) for g in gaps],
    )  # fmt: skip
    holes = [TimelineHole(start=h.start, end=h.end, cause=h.cause) for h in coverage.holes]
    return Timeline(camera=camera, span_start=span_start, span_end=span_end, duration_s=round(cursor, 6),
                    segments=laid, holes=holes)  # fmt: skip


def _extinf(duration_s: float) -> float:
    # EXTINF is written with microseconds; player offsets are summed from the same rounded values.
    return round(duration_s, 6)


def render_playlist(timeline: Timeline, media_url: Callable[[int], str], init_url: Callable[[int], str]) -> str | None:
    """The HLS v7 fMP4 VOD playlist; None when there is nothing to play (an empty playlist is invalid)."""
    if not timeline.segments:
        return None
    target = max(1, max(math.floor(s.duration_s + 0.5) for s in timeline.segments))
    lines = [
        "#EXTM3U",
        f"#EXT-X-VERSION:{HLS_VERSION}",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        f"#EXT-X-TARGETDURATION:{target}",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-INDEPENDENT-SEGMENTS",  # the recorder cuts segments on keyframes
    ]
    for index, segment in enumerate(timeline.segments):
        if index:
            lines.append("#EXT-X-DISCONTINUITY")
        lines += [
            f'#EXT-X-MAP:URI="{init_url(segment.seq)}"',
            f"#EXT-X-PROGRAM-DATE-TIME:{_program_date_time(segment.start)}",
            f"#EXTINF:{segment.duration_s:.6f},",
            media_url(segment.seq),
        ]
    lines.append("#EXT-X-ENDLIST")
    return "\n".join(lines) + "\n"


def _program_date_time(instant: datetime) -> str:
    return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"


def player_time(timeline: Timeline, instant: datetime) -> float | None:
    """Where the player shows `instant` (nominally); in a hole, where footage resumes; None: no footage after it."""
    for segment in timeline.segments:
        if segment.start <= instant < segment.end:
            offset = min((instant - segment.start).total_seconds(), segment.duration_s)
            return round(segment.player_start_s + offset, 6)
    later = [s for s in timeline.segments if s.start >= instant]
    return min(later, key=lambda s: s.start).player_start_s if later else None


def wall_time(timeline: Timeline, position_s: float) -> datetime | None:
    """The wall-clock instant the player shows at `position_s`; None before/without footage."""
    for segment in timeline.segments:
        if segment.player_start_s <= position_s < segment.player_start_s + segment.duration_s:
            return segment.start + timedelta(seconds=position_s - segment.player_start_s)
    if timeline.segments and position_s >= timeline.duration_s:
        return timeline.segments[-1].end
    return None
