"""Generated camera footage (H.264 + G.711 or AAC) for the demo, tests and benchmarks.

Real encoders (libx264 via PyAV), no binaries in the repository. The picture is a moving
pattern with a burnt-in frame counter, so any lost or duplicated frame is visible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Literal

import av
import cv2
import numpy as np

AudioCodec = Literal["pcm_alaw", "pcm_mulaw", "aac", "none"]


@dataclass(frozen=True)
class SyntheticClip:
    seconds: float = 30.0
    width: int = 640
    height: int = 360
    fps: int = 25
    gop_seconds: float = 2.0
    bitrate: int = 800_000
    audio: AudioCodec = "pcm_alaw"
    audio_rate: int = 8000
    tone_hz: float = 440.0
    label: str = "seffaf"


def _background(clip: SyntheticClip) -> np.ndarray:
    y, x = np.mgrid[0 : clip.height, 0 : clip.width]
    shade = (x % 256).astype(np.uint8)
    return np.dstack([shade, (y % 256).astype(np.uint8), np.full_like(shade, 96)])


def _frame_image(clip: SyntheticClip, background: np.ndarray, index: int) -> np.ndarray:
    t = index / clip.fps
    image = np.roll(background, index * 4, axis=1)
    cx = int(clip.width / 2 + clip.width / 3 * math.sin(t))
    cy = int(clip.height / 2 + clip.height / 3 * math.cos(t * 0.7))
    cv2.circle(image, (cx, cy), max(8, clip.height // 10), (255, 255, 255), -1)
    cv2.putText(
        image,
        f"{clip.label} #{index:06d} t={t:7.2f}s",
        (10, max(24, clip.height // 12)),
        cv2.FONT_HERSHEY_SIMPLEX,
        max(0.5, clip.height / 720),
        (0, 0, 0),
        2,
    )
    return image


def write_clip(path: Path, clip: SyntheticClip) -> Path:
    """Encode the clip; the container follows the suffix (.mov carries G.711, .mp4 AAC)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame_count = round(clip.seconds * clip.fps)
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=clip.fps)
        video.width, video.height, video.pix_fmt = clip.width, clip.height, "yuv420p"
        video.bit_rate = clip.bitrate
        gop = int(clip.gop_seconds * clip.fps)
        video.codec_context.gop_size = gop
        video.options = {
            "preset": "ultrafast",
            "tune": "zerolatency",
            "x264-params": f"keyint={gop}:min-keyint={gop}:scenecut=0",
        }
        audio = None
        if clip.audio != "none":
            audio = out.add_stream(clip.audio, rate=clip.audio_rate, layout="mono")
        samples_per_frame = clip.audio_rate // clip.fps
        sample_cursor = 0
        background = _background(clip)
        for index in range(frame_count):
            frame = av.VideoFrame.from_ndarray(_frame_image(clip, background, index), format="bgr24")
            frame.pts = index
            frame.time_base = Fraction(1, clip.fps)
            out.mux(video.encode(frame))
            if audio is not None:
                sample_cursor = _mux_tone(out, audio, clip, sample_cursor, samples_per_frame)
        out.mux(video.encode(None))
        if audio is not None:
            out.mux(audio.encode(None))
    return path


def _mux_tone(
    out: av.container.OutputContainer,
    audio: av.audio.stream.AudioStream,
    clip: SyntheticClip,
    start: int,
    count: int,
) -> int:
    t = (np.arange(start, start + count) / clip.audio_rate).astype(np.float64)
    # A tone that pulses once a second, so audio continuity is audible and measurable.
    envelope = 0.3 + 0.2 * (np.floor(t) % 2)
    samples = (envelope * np.sin(2 * math.pi * clip.tone_hz * t) * 32767).astype(np.int16)
    frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = clip.audio_rate
    frame.pts = start
    frame.time_base = Fraction(1, clip.audio_rate)
    out.mux(audio.encode(frame))
    return start + count
