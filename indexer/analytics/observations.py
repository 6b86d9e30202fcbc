"""One segment in, observations out: the indexer's analytics pass and its output record.

``analyse_segment`` decodes the segment once (sampled video frames, the audio track), runs the
integrity, presence and audio detectors, and turns their spans into ``Observation`` records on
the wall clock (``start`` is the segment's aware start time; offsets are added to it).

Kinds and what ``value`` holds:

=================  ==============================================================
black              median mean luma (0..255) of the covered/black picture
defocus            median sharpness relative to the camera's baseline (0..1)
moved              median translation against the reference, fraction of the width
frozen             median fraction of native pixels changed between samples
operator_present   1.0
operator_absent    0.0
citizen_count      number of citizens in the citizen zone
loudness_lufs      BS.1770 loudness of a 1 s window, LUFS (-70 = silence)
raised_voice       median LU above the baseline
speech_share       share of 30 ms frames with speech over the whole segment (0..1)
=================  ==============================================================

``confidence`` (0..1): for the integrity kinds and raised_voice, how far the measurement is past
its threshold (0.5 at the threshold, 1.0 a full threshold beyond it; halved for defocus and moved
when the segment had no camera baseline); for people, the face detector's scores (the weakest
face counted, lowered by faces that nearly counted; for absence, one minus the strongest near
miss); 1.0 for the measurements loudness_lufs and speech_share.

Spans do not continue across segments: each segment is analysed on its own, so a fault must
last ``frozen_min_s`` / ``moved_min_s`` / ``defocus_min_s`` within one segment to be reported.

The cache key of a segment's analysis is (segment sha256, ``DETECTOR_VERSIONS``): see ``cache_key``.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from indexer.analytics import audio, integrity, presence
from indexer.analytics.audio import AudioResult, analyse_audio
from indexer.analytics.facedetect import CenterFace
from indexer.analytics.frames import (
    DEFAULT_SAMPLING,
    SampledFrame,
    Sampling,
    decode_segment,
)
from indexer.analytics.integrity import IntegrityResult, VisualBaseline, analyse_integrity, baseline_from_frames
from indexer.analytics.intervals import Interval
from indexer.analytics.presence import PresenceResult, analyse_presence
from indexer.zones import Zones

FRAMES_VERSION = "frames-1"

DETECTOR_VERSIONS: dict[str, str] = {
    "frames": FRAMES_VERSION,
    "integrity": integrity.VERSION,
    "presence": presence.VERSION,
    "audio": audio.VERSION,
}

KINDS = (
    "black",
    "defocus",
    "moved",
    "frozen",
    "operator_present",
    "operator_absent",
    "citizen_count",
    "loudness_lufs",
    "raised_voice",
    "speech_share",
)


@dataclass(frozen=True)
class Observation:
    camera: str
    start: datetime  # aware, UTC
    end: datetime
    kind: str
    value: float
    confidence: float
    detector: str
    detector_version: str


@dataclass(frozen=True)
class CameraBaseline:
    """What is normal for this camera: a good view of it and the usual loudness of its window."""

    visual: VisualBaseline | None = None
    loudness_lufs: float | None = None


@dataclass(frozen=True)
class SegmentAnalysis:
    observations: tuple[Observation, ...]
    timings_per_detector: dict[str, float]  # CPU seconds of this process per stage
    duration_s: float
    frames_sampled: int
    detector_runs: int  # face detector invocations (motion gating skips the rest)


def cache_key(segment_sha256: str) -> str:
    """Stable key for a segment's analysis: changes when the segment or any detector version does."""
    payload = json.dumps({"segment": segment_sha256, "detectors": DETECTOR_VERSIONS}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("segment start must be timezone-aware")
    return moment.astimezone(UTC)


class _Recorder:
    def __init__(self, camera: str, start: datetime) -> None:
        self.camera = camera
        self.start = start
        self.items: list[Observation] = []

    def add(self, start_s: float, end_s: float, kind: str, value: float, confidence: float, detector: str) -> None:
        self.items.append(
            Observation(
                camera=self.camera,
                start=self.start + timedelta(seconds=start_s),
                end=self.start + timedelta(seconds=end_s),
                kind=kind,
                value=float(value),
                confidence=float(min(1.0, max(0.0, confidence))),
                detector=detector,
                detector_version=DETECTOR_VERSIONS[detector],
            )
        )

    def spans(self, spans: tuple[Interval, ...], kind: str, detector: str, value_scale: float = 1.0) -> None:
        for span in spans:
            self.add(span.start_s, span.end_s, kind, span.value * value_scale, span.confidence, detector)


def _integrity_observations(rec: _Recorder, result: IntegrityResult, width: int) -> None:
    rec.spans(result.black, "black", "integrity")
    rec.spans(result.defocus, "defocus", "integrity")
    rec.spans(result.moved, "moved", "integrity", value_scale=1.0 / max(1, width))
    rec.spans(result.frozen, "frozen", "integrity")


def _presence_observations(rec: _Recorder, result: PresenceResult) -> None:
    for span in result.operator:
        kind = "operator_present" if span.value else "operator_absent"
        rec.add(span.start_s, span.end_s, kind, float(span.value), span.confidence, "presence")
    for span in result.citizens:
        rec.add(span.start_s, span.end_s, "citizen_count", float(span.value), span.confidence, "presence")


def _audio_observations(rec: _Recorder, result: AudioResult) -> None:
    for window in result.windows:
        rec.add(window.start_s, window.end_s, "loudness_lufs", window.lufs, 1.0, "audio")
    rec.spans(result.raised, "raised_voice", "audio")
    if result.speech_frames:
        rec.add(0.0, result.duration_s, "speech_share", result.speech_share, 1.0, "audio")


def blind_frames(frames: Sequence[SampledFrame], checked: IntegrityResult) -> list[bool]:
    """Frames in which presence cannot be judged: the lens is covered, out of focus, or the picture is stale."""
    spans = (*checked.black, *checked.defocus, *checked.frozen)
    return [any(s.start_s <= f.offset_s < s.end_s for s in spans) for f in frames]


def analyse_segment(
    path: Path,
    camera: str,
    start: datetime,
    zones: Zones,
    baseline: CameraBaseline | None,
    *,
    sampling: Sampling = DEFAULT_SAMPLING,
    detector: CenterFace | None = None,
) -> SegmentAnalysis:
    """All detectors over one segment file. Without a baseline the segment is judged against itself."""
    rec = _Recorder(camera, _utc(start))
    timings: dict[str, float] = {}
    clock = time.process_time()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.process_time()
        timings[stage] = timings.get(stage, 0.0) + now - clock
        clock = now

    decoded = decode_segment(path, sampling)
    duration, frames, track = decoded.duration_s, list(decoded.frames), decoded.audio
    lap("decode")
    runs = 0
    if frames:
        visual = baseline.visual if baseline is not None else None
        checked = analyse_integrity(frames, duration or None, visual)
        _integrity_observations(rec, checked, frames[0].gray.shape[1])
        lap("integrity")
        blind = blind_frames(frames, checked)
        people = analyse_presence(frames, duration or None, zones, detector=detector, blind=blind)
        _presence_observations(rec, people)
        runs = people.detector_runs
        lap("presence")
    if track is not None and len(track.samples):
        heard = analyse_audio(track, baseline.loudness_lufs if baseline is not None else None)
        _audio_observations(rec, heard)
        lap("audio")
    observations = tuple(sorted(rec.items, key=lambda o: (o.start, o.kind)))
    return SegmentAnalysis(
        observations=observations,
        timings_per_detector=timings,
        duration_s=duration,
        frames_sampled=len(frames),
        detector_runs=runs,
    )


def build_baseline(path: Path, sampling: Sampling = DEFAULT_SAMPLING) -> CameraBaseline:
    """A camera's baseline from footage known to be good (lens clear, in focus, in place, calm voices)."""
    decoded = decode_segment(path, sampling)
    visual = baseline_from_frames(decoded.frames)
    track = decoded.audio
    loudness: float | None = None
    if track is not None and len(track.samples):
        loudness = analyse_audio(track).baseline_lufs
    return CameraBaseline(visual=visual, loudness_lufs=loudness)
