"""Decoding at the edge: sampled frames (keyframes only or rate-limited), native luma, audio."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexer.analytics.frames import Sampling, decode_audio, decode_segment, sample_frames, segment_duration_s
from seffaf.scripted_footage import ClipScript, Span, write_window_clip
from seffaf.synthetic_media import SyntheticClip, write_clip


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    script = ClipScript(seconds=6, width=480, height=270, fps=10, gop_s=1.0, speech=(Span(0, 6),))
    return write_window_clip(tmp_path_factory.mktemp("frames") / "clip.mp4", script)


def test_keyframes_only(clip: Path) -> None:
    decoded = decode_segment(clip)
    assert [round(f.offset_s, 3) for f in decoded.frames] == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    frame = decoded.frames[0]
    assert frame.bgr.shape == (180, 320, 3) and frame.bgr.dtype == np.uint8
    assert frame.gray.shape == (180, 320) and frame.gray.dtype == np.uint8
    assert frame.luma.shape == (270, 480)  # native: narrower than 640, so not decimated
    assert decoded.duration_s == pytest.approx(6.0, abs=0.1)
    assert segment_duration_s(clip) == pytest.approx(decoded.duration_s)
    # The single pass and the separate readers agree.
    assert [f.offset_s for f in sample_frames(clip)] == [f.offset_s for f in decoded.frames]
    track = decode_audio(clip)
    assert track is not None and decoded.audio is not None
    assert decoded.audio.rate == track.rate == 16_000
    assert np.array_equal(decoded.audio.samples, track.samples)
    assert decoded.audio.duration_s == pytest.approx(6.0, abs=0.1)
    assert decoded.audio.samples.dtype == np.float32 and float(np.abs(decoded.audio.samples).max()) <= 1.0


@pytest.mark.parametrize(
    ("sampling", "offsets"),
    [
        (Sampling(mode="fps", max_fps=1.0), [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]),
        (Sampling(mode="fps", max_fps=0.5), [0.0, 2.0, 4.0]),
        (Sampling(mode="keyframes", max_fps=0.5), [0.0, 2.0, 4.0]),
        (Sampling(mode="fps", max_fps=2.5), [0.0, 0.4, 0.8, 1.2, 1.6, 2.0]),  # only the first 2 s checked
    ],
)
def test_rate_limited_sampling(clip: Path, sampling: Sampling, offsets: list[float]) -> None:
    got = [round(f.offset_s, 3) for f in decode_segment(clip, sampling).frames]
    assert got[: len(offsets)] == offsets


def test_native_luma_is_decimated_not_averaged(tmp_path: Path) -> None:
    path = write_clip(tmp_path / "wide.mp4", SyntheticClip(seconds=2, width=1280, height=720, audio="none"))
    decoded = decode_segment(path, Sampling(luma_width=640))
    assert decoded.frames[0].luma.shape == (360, 640)
    assert decoded.audio is None
    assert decode_audio(path) is None
    assert decode_segment(path, Sampling(luma_width=0)).frames[0].luma.size == 0
