"""The window's sound: loudness over time, raised voices, and how much of the time someone speaks.

* Loudness: ITU-R BS.1770 (K-weighted, gated) with pyloudnorm, per ``window_s`` window measured
  in 400 ms blocks with 75 % overlap, as the standard has it. Silence reads ``floor_lufs``.
* Raised voice: windows louder than the baseline by ``raised_margin_lu`` in which the voice
  detector hears speech (a slammed door is not a raised voice). The baseline is the camera's
  (e.g. the session's median) when given, otherwise the median of this segment's voiced windows.
* Speech share: WebRTC VAD (webrtcvad-wheels) on 30 ms frames of 16 kHz mono int16.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyloudnorm
import webrtcvad
from scipy.signal import resample_poly

from indexer.analytics.frames import AudioTrack
from indexer.analytics.intervals import Interval, flag_intervals, margin_confidence

VERSION = "audio-1"
VAD_RATE = 16_000
VAD_FRAME_S = 0.03


@dataclass(frozen=True)
class AudioThresholds:
    window_s: float = 1.0
    block_s: float = 0.4
    floor_lufs: float = -70.0  # BS.1770's absolute gate; silence is reported as this
    voiced_min_lufs: float = -60.0  # quieter windows never count as speech for the baseline
    raised_margin_lu: float = 10.0
    raised_min_speech: float = 0.3  # share of the window's VAD frames that must be speech
    raised_min_s: float = 1.0
    vad_aggressiveness: int = 2  # 0 (lenient) .. 3 (strict)


@dataclass(frozen=True)
class LoudnessWindow:
    start_s: float
    end_s: float
    lufs: float
    speech_share: float


@dataclass(frozen=True)
class AudioResult:
    duration_s: float
    windows: tuple[LoudnessWindow, ...]
    baseline_lufs: float | None
    baseline_from_segment: bool
    raised: tuple[Interval, ...]  # value: LU above the baseline (median over the span)
    speech_share: float
    speech_frames: tuple[bool, ...]  # one per 30 ms VAD frame


def window_loudness(meter: pyloudnorm.Meter, samples: npt.NDArray[np.float64], floor_lufs: float) -> float:
    """Gated BS.1770 loudness of one window; ``floor_lufs`` for silence or a window shorter than a block."""
    if len(samples) < round(meter.block_size * meter.rate):
        return floor_lufs
    value = float(meter.integrated_loudness(samples))
    return value if math.isfinite(value) and value > floor_lufs else floor_lufs


def loudness_baseline(lufs: Sequence[float], speech: Sequence[float], t: AudioThresholds) -> float | None:
    """Median loudness of the windows where someone speaks; None when nobody does."""
    voiced = [v for v, s in zip(lufs, speech, strict=True) if v >= t.voiced_min_lufs and s >= t.raised_min_speech]
    return statistics.median(voiced) if voiced else None


def raised_flags(
    lufs: Sequence[float], speech: Sequence[float], baseline: float | None, t: AudioThresholds
) -> list[bool]:
    if baseline is None:
        return [False] * len(lufs)
    return [
        value >= baseline + t.raised_margin_lu and share >= t.raised_min_speech
        for value, share in zip(lufs, speech, strict=True)
    ]


def to_vad_pcm(track: AudioTrack) -> npt.NDArray[np.int16]:
    """Mono int16 at 16 kHz."""
    samples = track.samples.astype(np.float64)
    if track.rate != VAD_RATE and len(samples):
        g = math.gcd(VAD_RATE, track.rate)
        samples = resample_poly(samples, VAD_RATE // g, track.rate // g)
    return np.asarray(np.clip(samples, -1.0, 1.0) * 32767, dtype=np.int16)


def vad_frames(pcm: npt.NDArray[np.int16], aggressiveness: int) -> list[bool]:
    vad = webrtcvad.Vad(aggressiveness)
    n = round(VAD_RATE * VAD_FRAME_S)
    return [bool(vad.is_speech(pcm[i : i + n].tobytes(), VAD_RATE)) for i in range(0, len(pcm) - n + 1, n)]


def analyse_audio(
    track: AudioTrack, baseline_lufs: float | None = None, thresholds: AudioThresholds = AudioThresholds()
) -> AudioResult:
    t = thresholds
    samples = track.samples.astype(np.float64)
    duration = track.duration_s
    speech = vad_frames(to_vad_pcm(track), t.vad_aggressiveness)
    windows: list[LoudnessWindow] = []
    meter = pyloudnorm.Meter(track.rate, block_size=t.block_s)
    start = 0.0
    while duration - start >= t.block_s:  # a tail shorter than one block is not measured
        end = min(duration, start + t.window_s)
        chunk = samples[round(start * track.rate) : round(end * track.rate)]
        first, last = int(start / VAD_FRAME_S), max(int(start / VAD_FRAME_S) + 1, int(end / VAD_FRAME_S))
        frames = speech[first:last]
        share = sum(frames) / len(frames) if frames else 0.0
        windows.append(LoudnessWindow(start, end, window_loudness(meter, chunk, t.floor_lufs), share))
        start = end
    lufs = [w.lufs for w in windows]
    from_segment = baseline_lufs is None
    shares = [w.speech_share for w in windows]
    baseline = baseline_lufs if baseline_lufs is not None else loudness_baseline(lufs, shares, t)
    flags = raised_flags(lufs, shares, baseline, t)
    excess = [v - baseline if baseline is not None else 0.0 for v in lufs]
    raised = flag_intervals(
        [w.start_s for w in windows],
        flags,
        duration,
        scores=excess,
        confidences=[margin_confidence(e, t.raised_margin_lu, t.raised_margin_lu) for e in excess],
        min_duration_s=t.raised_min_s,
        max_gap_s=0.0,
    )
    return AudioResult(
        duration_s=duration,
        windows=tuple(windows),
        baseline_lufs=baseline,
        baseline_from_segment=from_segment,
        raised=tuple(raised),
        speech_share=sum(speech) / len(speech) if speech else 0.0,
        speech_frames=tuple(speech),
    )
