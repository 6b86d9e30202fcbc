"""Camera integrity: covered/black lens, defocus, camera moved, frozen picture.

Each sampled frame is measured once (``measure``), relative to the camera's baseline: a
known-good reference frame and its sharpness. The decisions are pure functions of those
measurements and thresholds (``judge``), and spans come from ``intervals.flag_intervals``.

* black / covered: dark and flat (mean and standard deviation of luma), or flat at any brightness
  (a hand or paper held over the lens).
* defocus: variance of the Laplacian (after a 3x3 Gaussian, so sensor noise does not pass for
  detail) below a fraction of the baseline's.
* moved: phase correlation (Hanning-windowed) of the frame against the reference: a translation
  of more than ``moved_min_shift_frac`` of the width with a clear correlation peak, held for
  ``moved_min_s`` (not judged on black or defocused frames). A pure rotation or zoom is seen only
  as far as it displaces the picture.
* frozen: consecutive samples with (almost) no pixel changed by at least ``frozen_pixel_delta``
  levels, for at least ``frozen_min_s``, compared on native-resolution luma (decimated, never
  averaged): live sensor noise changes many pixels a little even in an empty room, while a
  re-encoded still picture changes almost none. Downscaled frames average that noise away.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from indexer.analytics.frames import SampledFrame
from indexer.analytics.intervals import Interval, flag_intervals, margin_confidence

U8Array = npt.NDArray[np.uint8]
F32Array = npt.NDArray[np.float32]

VERSION = "integrity-1"


@dataclass(frozen=True, eq=False)
class VisualBaseline:
    """A known-good view of the camera at the analysis width."""

    reference_gray: U8Array
    sharpness: float


@dataclass(frozen=True)
class IntegrityThresholds:
    black_max_mean: float = 40.0
    black_max_std: float = 12.0
    covered_max_std: float = 4.0
    defocus_max_ratio: float = 0.4
    moved_min_shift_frac: float = 0.012
    moved_min_shift_px: float = 3.0
    moved_min_response: float = 0.08
    frozen_pixel_delta: int = 3
    frozen_max_changed: float = 0.02
    frozen_min_s: float = 4.0
    moved_min_s: float = 3.0
    defocus_min_s: float = 2.0
    black_min_s: float = 0.0


@dataclass(frozen=True)
class FrameQuality:
    offset_s: float
    mean_luma: float
    std_luma: float
    sharpness: float
    shift_px: float  # magnitude of the translation against the reference
    shift_response: float  # phase-correlation peak (0..1), how clear that translation is
    changed_fraction: float  # native pixels changed by >= frozen_pixel_delta since the previous sample (nan: first)


@dataclass(frozen=True)
class FrameVerdict:
    black: bool
    defocus: bool
    moved: bool
    still: bool  # unchanged since the previous sample
    black_confidence: float
    defocus_confidence: float
    moved_confidence: float
    still_confidence: float


@dataclass(frozen=True)
class IntegrityResult:
    frames: tuple[FrameQuality, ...]
    verdicts: tuple[FrameVerdict, ...]
    black: tuple[Interval, ...]
    defocus: tuple[Interval, ...]
    moved: tuple[Interval, ...]
    frozen: tuple[Interval, ...]
    baseline_from_segment: bool  # no camera baseline was given: judged against this segment itself


def sharpness(gray: U8Array) -> float:
    smooth = cv2.GaussianBlur(gray, (3, 3), 0)
    return float(cv2.Laplacian(smooth, cv2.CV_32F).var())


class FrameMeter:
    """Measures frames against a reference; keeps the previous frame and the FFT window."""

    def __init__(self, reference: U8Array | None, thresholds: IntegrityThresholds) -> None:
        usable = reference is not None and min(reference.shape[:2]) > 1
        self._reference = reference.astype(np.float32) if reference is not None and usable else None
        self._window: F32Array | None = None
        if self._reference is not None:
            size = (self._reference.shape[1], self._reference.shape[0])
            self._window = np.asarray(cv2.createHanningWindow(size, cv2.CV_32F), dtype=np.float32)
        self._previous: U8Array | None = None
        self._t = thresholds

    def measure(self, frame: SampledFrame) -> FrameQuality:
        gray = frame.gray
        mean, std = cv2.meanStdDev(gray)
        shift, resp = float("nan"), 0.0  # no reference, or a different picture size: no claim
        if self._reference is not None and self._window is not None and gray.shape == self._reference.shape:
            (dx, dy), response = cv2.phaseCorrelate(self._reference, gray.astype(np.float32), self._window)
            shift, resp = math.hypot(dx, dy), float(response)
        detail = frame.luma if frame.luma.size else gray
        changed = float("nan")
        if self._previous is not None and self._previous.shape == detail.shape:
            diff = cv2.absdiff(detail, self._previous)
            changed = float(np.count_nonzero(diff >= self._t.frozen_pixel_delta)) / diff.size
        self._previous = detail
        return FrameQuality(
            offset_s=frame.offset_s,
            mean_luma=float(mean[0, 0]),
            std_luma=float(std[0, 0]),
            sharpness=sharpness(gray),
            shift_px=shift,
            shift_response=resp,
            changed_fraction=changed,
        )


def judge(q: FrameQuality, baseline_sharpness: float, width: int, t: IntegrityThresholds) -> FrameVerdict:
    """Pure per-frame decisions. Other checks are off while the picture is black, ``moved`` while defocused."""
    dark = q.mean_luma <= t.black_max_mean and q.std_luma <= t.black_max_std
    flat = q.std_luma <= t.covered_max_std
    black = dark or flat
    black_conf = margin_confidence(q.std_luma, t.black_max_std if dark else t.covered_max_std, t.black_max_std)
    ratio = q.sharpness / baseline_sharpness if baseline_sharpness > 0 else 1.0
    defocus = not black and ratio < t.defocus_max_ratio
    shift_limit = max(t.moved_min_shift_px, t.moved_min_shift_frac * width)
    # A blurred picture correlates poorly with the sharp reference: no claim about position then.
    moved = not black and not defocus and q.shift_response >= t.moved_min_response and q.shift_px > shift_limit
    still = not black and not math.isnan(q.changed_fraction) and q.changed_fraction <= t.frozen_max_changed
    return FrameVerdict(
        black=black,
        defocus=defocus,
        moved=moved,
        still=still,
        black_confidence=black_conf,
        defocus_confidence=margin_confidence(ratio, t.defocus_max_ratio, t.defocus_max_ratio),
        moved_confidence=margin_confidence(q.shift_px, shift_limit, shift_limit) if not math.isnan(q.shift_px) else 0.5,
        still_confidence=margin_confidence(q.changed_fraction, t.frozen_max_changed, t.frozen_max_changed),
    )


def frozen_flags(still: Sequence[bool]) -> list[bool]:
    """A sample unchanged since the previous one makes both frozen: the picture stopped at the earlier."""
    flags = list(still)
    for i, s in enumerate(still):
        if s and i > 0:
            flags[i - 1] = True
    return flags


def _segment_baseline(frames: Sequence[SampledFrame], t: IntegrityThresholds) -> VisualBaseline | None:
    """Fallback when the camera has no baseline: the first lit frame, the segment's 90th-percentile sharpness."""
    lit = [f for f in frames if float(f.gray.std()) > t.black_max_std]
    if not lit:
        return None
    values = sorted(sharpness(f.gray) for f in lit)
    return VisualBaseline(reference_gray=lit[0].gray, sharpness=values[min(len(values) - 1, int(0.9 * len(values)))])


def baseline_from_frames(
    frames: Sequence[SampledFrame], thresholds: IntegrityThresholds = IntegrityThresholds()
) -> VisualBaseline | None:
    """A camera baseline from known-good footage: its first lit frame, the median sharpness."""
    lit = [f for f in frames if float(f.gray.std()) > thresholds.black_max_std]
    if not lit:
        return None
    return VisualBaseline(reference_gray=lit[0].gray, sharpness=statistics.median(sharpness(f.gray) for f in lit))


def analyse_integrity(
    frames: Sequence[SampledFrame],
    duration_s: float | None,
    baseline: VisualBaseline | None,
    thresholds: IntegrityThresholds = IntegrityThresholds(),
) -> IntegrityResult:
    from_segment = baseline is None
    base = baseline if baseline is not None else _segment_baseline(frames, thresholds)
    if base is None:
        # Nothing lit to compare against: black and frozen can be judged, defocus and moved not.
        base = VisualBaseline(reference_gray=np.zeros((0, 0), dtype=np.uint8), sharpness=0.0)
    meter = FrameMeter(base.reference_gray, thresholds)
    qualities = [meter.measure(f) for f in frames]
    width = frames[0].gray.shape[1] if frames else 1
    verdicts = [judge(q, base.sharpness, width, thresholds) for q in qualities]
    offsets = [q.offset_s for q in qualities]
    t = thresholds
    scale = 0.5 if from_segment else 1.0  # judged against itself: less sure

    def spans(
        flags: Sequence[bool], scores: Sequence[float], conf: Sequence[float], min_s: float
    ) -> tuple[Interval, ...]:
        return tuple(
            flag_intervals(
                offsets, flags, duration_s, scores=scores, confidences=conf, min_duration_s=min_s, max_gap_s=0.0
            )
        )

    black = spans(
        [v.black for v in verdicts],
        [q.mean_luma for q in qualities],
        [v.black_confidence for v in verdicts],
        t.black_min_s,
    )
    ratios = [q.sharpness / base.sharpness if base.sharpness > 0 else 1.0 for q in qualities]
    defocus = spans(
        [v.defocus for v in verdicts], ratios, [v.defocus_confidence * scale for v in verdicts], t.defocus_min_s
    )
    moved = spans(
        [v.moved for v in verdicts],
        [q.shift_px for q in qualities],
        [v.moved_confidence * scale for v in verdicts],
        t.moved_min_s,
    )
    frozen = spans(
        frozen_flags([v.still for v in verdicts]),
        [0.0 if math.isnan(q.changed_fraction) else q.changed_fraction for q in qualities],
        [v.still_confidence for v in verdicts],
        t.frozen_min_s,
    )
    return IntegrityResult(
        frames=tuple(qualities),
        verdicts=tuple(verdicts),
        black=black,
        defocus=defocus,
        moved=moved,
        frozen=frozen,
        baseline_from_segment=from_segment,
    )
