"""The object-key layout, in one place: encode and decode are tested together.

    segments/{camera}/{seq:012d}_{start:%Y%m%dT%H%M%S%fZ}.mp4   media
    segments/{camera}/{seq:012d}_{start}.json                   its manifest
    gaps/{camera}/{after_seq:012d}_{start}_{cause}.json         a gap record

The sequence number leads, so keys never collide (even when the wall clock steps back)
and a listing after the last seen key is exactly "everything new" for that camera.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from seffaf.clock import require_utc

CAMERA_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
TIME_FORMAT = "%Y%m%dT%H%M%S%fZ"
SEQ_DIGITS = 12
SEGMENTS = "segments"
GAPS = "gaps"

_SEGMENT_KEY = re.compile(
    rf"^{SEGMENTS}/(?P<camera>[^/]+)/(?P<seq>\d{{{SEQ_DIGITS}}})_(?P<start>\d{{8}}T\d{{12}}Z)\.(?P<ext>mp4|json)$"
)
_GAP_KEY = re.compile(
    rf"^{GAPS}/(?P<camera>[^/]+)/(?P<seq>\d{{{SEQ_DIGITS}}})_(?P<start>\d{{8}}T\d{{12}}Z)_(?P<cause>[a-z_]+)\.json$"
)


class KeyLayoutError(ValueError):
    """A key or key part that does not follow the layout."""


def validate_camera_id(camera: str) -> str:
    if not CAMERA_ID.match(camera):
        raise KeyLayoutError(f"camera id {camera!r} must be 1-64 characters of letters, digits, '.', '_' or '-'")
    return camera


def _format_time(value: datetime) -> str:
    return require_utc(value, "start").strftime(TIME_FORMAT)


def _parse_time(text: str) -> datetime:
    return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=UTC)


def _check_seq(seq: int) -> int:
    if not 0 <= seq < 10**SEQ_DIGITS:
        raise KeyLayoutError(f"sequence number {seq} out of range")
    return seq


@dataclass(frozen=True)
class SegmentKey:
    camera: str
    seq: int
    start: datetime

    def __post_init__(self) -> None:
        validate_camera_id(self.camera)
        _check_seq(self.seq)
        # Keys carry microseconds: normalise so decode(encode(k)) == k.
        object.__setattr__(self, "start", require_utc(self.start, "start"))

    @property
    def stem(self) -> str:
        return f"{SEGMENTS}/{self.camera}/{self.seq:0{SEQ_DIGITS}d}_{_format_time(self.start)}"

    def encode(self) -> str:
        return self.stem + ".mp4"

    @property
    def manifest_key(self) -> str:
        return self.stem + ".json"

    @classmethod
    def decode(cls, key: str) -> SegmentKey:
        match = _SEGMENT_KEY.match(key)
        if match is None:
            raise KeyLayoutError(f"not a segment key: {key!r}")
        return cls(match["camera"], int(match["seq"]), _parse_time(match["start"]))


@dataclass(frozen=True)
class GapKey:
    camera: str
    after_seq: int
    start: datetime
    cause: str

    def __post_init__(self) -> None:
        validate_camera_id(self.camera)
        _check_seq(self.after_seq)
        if not re.fullmatch(r"[a-z_]+", self.cause):
            raise KeyLayoutError(f"gap cause {self.cause!r} must be lowercase letters and '_'")
        object.__setattr__(self, "start", require_utc(self.start, "start"))

    def encode(self) -> str:
        return f"{GAPS}/{self.camera}/{self.after_seq:0{SEQ_DIGITS}d}_{_format_time(self.start)}_{self.cause}.json"

    @classmethod
    def decode(cls, key: str) -> GapKey:
        match = _GAP_KEY.match(key)
        if match is None:
            raise KeyLayoutError(f"not a gap key: {key!r}")
        return cls(match["camera"], int(match["seq"]), _parse_time(match["start"]), match["cause"])


def segment_prefix(camera: str) -> str:
    return f"{SEGMENTS}/{validate_camera_id(camera)}/"


def gap_prefix(camera: str) -> str:
    return f"{GAPS}/{validate_camera_id(camera)}/"


def is_segment_manifest_key(key: str) -> bool:
    return key.startswith(f"{SEGMENTS}/") and key.endswith(".json")
