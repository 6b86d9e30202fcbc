"""What the store holds beside every segment and every gap: the record of evidence.

The catalog database is rebuilt from these documents alone, so they carry everything
the indexer needs. Times are UTC; durations come from stream time, not the wall clock.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from seffaf.clock import require_utc

MANIFEST_SCHEMA_VERSION = 1

UtcDatetime = Annotated[AwareDatetime, AfterValidator(lambda v: require_utc(v, "datetime"))]


class AudioStatus(StrEnum):
    COPIED = "copied"
    TRANSCODED = "transcoded"
    SOURCE_HAS_NONE = "source_has_none"
    LOST = "lost"


class GapCause(StrEnum):
    CAMERA_UNREACHABLE = "camera_unreachable"
    RECORDER_DOWN = "recorder_down"
    SPOOL_FULL = "spool_full"
    SOURCE_DISCONTINUITY = "source_discontinuity"
    # The host clock jumped ahead: stream time is continuous, the skipped wall-clock span has no footage.
    CLOCK_STEP = "clock_step"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VideoTrack(_Frozen):
    codec: str
    width: int
    height: int
    packets: int = Field(ge=0)


class AudioTrack(_Frozen):
    source_codec: str
    stored_codec: str
    sample_rate: int
    channels: int
    packets: int = Field(ge=0)


class RecorderInfo(_Frozen):
    host: str
    version: str


class SegmentManifest(_Frozen):
    schema_version: Literal[1] = 1
    kind: Literal["segment"] = "segment"
    center: str | None
    window: int | None
    camera: str
    seq: int = Field(ge=1, description="Strictly increasing per camera, across restarts.")
    key: str = Field(description="Object key of the media.")
    start: UtcDatetime = Field(description="Wall-clock time of the first video packet.")
    end: UtcDatetime
    duration_s: float = Field(ge=0, description="From stream timestamps.")
    keyframe_offsets_s: list[float]
    video: VideoTrack
    audio: AudioTrack | None
    audio_status: AudioStatus
    warnings: list[str] = Field(default_factory=list)
    size_bytes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    prev_sha256: str | None = Field(
        default=None, pattern=r"^[0-9a-f]{64}$", description="Media hash of seq-1: the chain link."
    )
    recovered: bool = Field(default=False, description="Closed from a partial file left by a crash.")
    source: str = Field(description="Camera URL without credentials.")
    recorder: RecorderInfo
    written_at: UtcDatetime


class GapManifest(_Frozen):
    schema_version: Literal[1] = 1
    kind: Literal["gap"] = "gap"
    center: str | None
    window: int | None
    camera: str
    key: str
    after_seq: int = Field(ge=0, description="Last segment before the gap (0: none yet).")
    start: UtcDatetime
    end: UtcDatetime
    cause: GapCause
    detail: str
    recorder: RecorderInfo
    written_at: UtcDatetime

    @property
    def duration_s(self) -> float:
        return (self.end - self.start).total_seconds()


def gap_overlaps(gap: GapManifest, start: datetime, end: datetime) -> bool:
    return gap.start < end and start < gap.end
