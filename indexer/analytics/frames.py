"""Decoding at the edge: sampled, downscaled video frames and the mono audio track of a segment.

Video is decoded sparsely: by default only keyframes (the decoder is told to skip the rest,
``skip_frame = "NONKEY"``), which for the recorder's 2 s GOP is 0.5 fps; or, for cameras with
long GOPs, every frame is decoded and one is kept per ``1 / max_fps`` seconds. Kept frames are
scaled by swscale straight to ``width`` pixels (BGR, area-averaged), the grey copy is derived
from it, and the native luma plane is kept decimated for noise-level comparisons. Audio is
decoded to mono float32 at its own rate. ``decode_segment`` does both in one demuxing pass.
Offsets are seconds from the start of the segment (its first timestamp), not wall time.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import av
import cv2
import numpy as np
import numpy.typing as npt
from av.video.reformatter import VideoReformatter

U8Array = npt.NDArray[np.uint8]
F32Array = npt.NDArray[np.float32]

SamplingMode = Literal["keyframes", "fps"]

# Opening reads the MP4 headers only (codec parameters are in the moov box): no probing of frames.
OPEN_OPTIONS = {"probesize": "4096", "analyzeduration": "0"}
_local = threading.local()


@dataclass(frozen=True, eq=False)
class SampledFrame:
    offset_s: float
    gray: U8Array  # analysis size (``Sampling.width``), area-averaged
    bgr: U8Array  # analysis size
    # Native-resolution luma, decimated (not averaged) to at most ``Sampling.luma_width`` columns: sensor
    # noise survives here, which tells a live still scene from a frozen picture. Empty if not wanted.
    luma: U8Array = field(default_factory=lambda: np.zeros((0, 0), dtype=np.uint8))


@dataclass(frozen=True, eq=False)
class AudioTrack:
    rate: int
    samples: F32Array  # mono, float32 in [-1, 1]

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.rate if self.rate else 0.0


@dataclass(frozen=True)
class Sampling:
    mode: SamplingMode = "keyframes"
    max_fps: float = 1.0  # upper bound in both modes; keyframes closer together than this are dropped
    width: int = 320
    luma_width: int = 640
    threads: int = 1  # per segment; parallelism belongs to the caller (one segment per core)


DEFAULT_SAMPLING = Sampling()


def scaled_size(width: int, height: int, target_width: int) -> tuple[int, int]:
    """Even-sized (w, h) of at most ``target_width`` wide, keeping the aspect ratio."""
    if width <= target_width:
        return width - width % 2, height - height % 2
    new_h = round(height * target_width / width)
    return target_width, max(2, new_h - new_h % 2)


def keep_frame(offset_s: float, last_kept_s: float | None, max_fps: float) -> bool:
    """Rate limit: keep a frame when at least ``1 / max_fps`` s (minus jitter) passed since the last kept one."""
    if last_kept_s is None or max_fps <= 0:
        return True
    return offset_s - last_kept_s >= 1.0 / max_fps - 0.02


def _container_duration_s(container: av.container.InputContainer) -> float:
    if container.duration is not None:
        return float(container.duration) / av.time_base
    return max((float(s.duration * s.time_base) for s in container.streams if s.duration and s.time_base), default=0.0)


def segment_duration_s(path: Path) -> float:
    """Container duration in seconds (0.0 when the container does not say)."""
    with av.open(str(path), options=OPEN_OPTIONS) as container:
        return _container_duration_s(container)


def native_luma(frame: av.VideoFrame, max_width: int) -> U8Array:
    """The Y plane at native resolution, every n-th pixel so it is at most ``max_width`` wide."""
    if max_width <= 0:
        return np.zeros((0, 0), dtype=np.uint8)
    if frame.format.name not in ("yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "nv12", "gray"):
        frame = frame.reformat(format="gray")
    plane = frame.planes[0]
    flat = np.frombuffer(memoryview(plane), dtype=np.uint8)
    rows = flat[: frame.height * plane.line_size].reshape(frame.height, plane.line_size)
    step = max(1, -(-frame.width // max_width))
    return np.ascontiguousarray(rows[::step, : frame.width : step])


def _reformatter() -> VideoReformatter:
    """One swscale context per thread, reused across frames and segments of the same size."""
    reformatter: VideoReformatter | None = getattr(_local, "reformatter", None)
    if reformatter is None:
        reformatter = _local.reformatter = VideoReformatter()
    return reformatter


class _VideoSampler:
    """Feeds a video stream's packets to its decoder and keeps the sampled frames, scaled."""

    def __init__(self, stream: av.video.stream.VideoStream, sampling: Sampling) -> None:
        self.stream = stream
        self.sampling = sampling
        ctx = stream.codec_context
        ctx.thread_count = sampling.threads
        self.keyframes_only = sampling.mode == "keyframes"
        if self.keyframes_only:
            ctx.skip_frame = "NONKEY"
        self.base_s: float | None = None
        if stream.start_time is not None and stream.time_base is not None:
            self.base_s = float(stream.start_time * stream.time_base)
        self.last_kept: float | None = None
        self.size: tuple[int, int] | None = None

    def feed(self, packet: av.Packet[Any]) -> list[SampledFrame]:
        # Keyframes mode: the decoder never even sees the other packets (an empty packet flushes).
        if self.keyframes_only and packet.size and not packet.is_keyframe:
            return []
        out: list[SampledFrame] = []
        for frame in packet.decode():
            if not isinstance(frame, av.VideoFrame) or frame.pts is None or frame.time_base is None:
                continue
            t = float(frame.pts * frame.time_base)
            if self.base_s is None:
                self.base_s = t
            offset = max(0.0, t - self.base_s)
            if not keep_frame(offset, self.last_kept, self.sampling.max_fps):
                continue
            self.last_kept = offset
            if self.size is None:
                self.size = scaled_size(frame.width, frame.height, self.sampling.width)
            scaled = _reformatter().reformat(
                frame, width=self.size[0], height=self.size[1], format="bgr24", interpolation="AREA"
            )
            bgr = np.asarray(scaled.to_ndarray(), dtype=np.uint8)
            gray = np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
            out.append(
                SampledFrame(offset_s=offset, gray=gray, bgr=bgr, luma=native_luma(frame, self.sampling.luma_width))
            )
        return out


def sample_frames(path: Path, sampling: Sampling = DEFAULT_SAMPLING) -> Iterator[SampledFrame]:
    """Yield the sampled frames of the segment's first video stream, in presentation order."""
    with av.open(str(path), options=OPEN_OPTIONS) as container:
        if not container.streams.video:
            return
        sampler = _VideoSampler(container.streams.video[0], sampling)
        for packet in container.demux(sampler.stream):
            yield from sampler.feed(packet)


@dataclass(frozen=True, eq=False)
class DecodedSegment:
    duration_s: float
    frames: tuple[SampledFrame, ...]
    audio: AudioTrack | None


def to_mono_float(planes: npt.NDArray[np.generic], fmt: str, channels: int) -> F32Array:
    """One decoded audio frame (``AudioFrame.to_ndarray()``) to mono float32 in [-1, 1]; pure."""
    data = np.asarray(planes)
    if not fmt.endswith("p"):  # packed: (1, samples * channels)
        data = data.reshape(-1, max(1, channels)).T
    if np.issubdtype(data.dtype, np.integer):
        info = np.iinfo(data.dtype)
        scaled = data.astype(np.float32) / float(max(abs(info.min), info.max))
        if info.min == 0:  # unsigned 8-bit PCM is offset binary
            scaled = scaled * 2.0 - 1.0
        data = scaled
    mono = data.mean(axis=0) if data.shape[0] > 1 else data[0]
    return np.asarray(mono, dtype=np.float32)


def _audio_samples(frame: av.AudioFrame) -> F32Array:
    return to_mono_float(frame.to_ndarray(), frame.format.name, len(frame.layout.channels))


def _track(rate: int, chunks: list[F32Array]) -> AudioTrack:
    samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
    return AudioTrack(rate=rate, samples=samples)


def decode_audio(path: Path) -> AudioTrack | None:
    """The first audio stream as mono float32 at its own rate; None when the segment has no audio."""
    with av.open(str(path), options=OPEN_OPTIONS) as container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate or stream.rate
        if not rate:
            return None
        chunks = [_audio_samples(frame) for frame in container.decode(stream)]
    return _track(int(rate), chunks)


def decode_segment(path: Path, sampling: Sampling = DEFAULT_SAMPLING) -> DecodedSegment:
    """Sampled video frames and the audio track in one pass over the file."""
    with av.open(str(path), options=OPEN_OPTIONS) as container:
        duration = _container_duration_s(container)
        sampler = _VideoSampler(container.streams.video[0], sampling) if container.streams.video else None
        audio = container.streams.audio[0] if container.streams.audio else None
        rate = (audio.codec_context.sample_rate or audio.rate or 0) if audio is not None else 0
        streams = [s for s in (sampler.stream if sampler else None, audio if rate else None) if s is not None]
        frames: list[SampledFrame] = []
        chunks: list[F32Array] = []
        for packet in container.demux(*streams):
            if sampler is not None and packet.stream_index == sampler.stream.index:
                frames.extend(sampler.feed(packet))
            else:
                chunks.extend(_audio_samples(f) for f in packet.decode() if isinstance(f, av.AudioFrame))
    return DecodedSegment(duration_s=duration, frames=tuple(frames), audio=_track(int(rate), chunks) if rate else None)
