"""Scripted service-window footage: H.264 + AAC clips with known intervals, for the demo's
incidents (seffaf.demo_incidents), the analytics' labelled tests and the analytics benchmark.

The scene is a static, textured office wall and counter with sensor noise and a slowly moving
clock hand (so live footage is never pixel-identical). A script places, over known spans of
time: a covered lens, a defocused lens, a frozen picture, a camera knocked out of place, real
faces (the astronaut photograph that ships inside scikit-image, cropped to the head) in the
operator and citizen zones, and audio: a speech-like voiced signal at a quiet or a loud level,
or only a noise floor. Nothing is downloaded.
"""

from __future__ import annotations

import cmath
import importlib.resources
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Literal

import av
import cv2
import numpy as np
import numpy.typing as npt
from scipy.signal import oaconvolve

U8Array = npt.NDArray[np.uint8]
F64Array = npt.NDArray[np.float64]
F32Array = npt.NDArray[np.float32]
ZoneName = Literal["operator", "citizen"]
_CHUNK = 1 << 16  # audio samples synthesised at a time: bounded memory for clips of many minutes


@dataclass(frozen=True)
class Span:
    start_s: float
    end_s: float

    def covers(self, t: float) -> bool:
        return self.start_s <= t < self.end_s


@dataclass(frozen=True)
class FacePlacement:
    zone: ZoneName
    span: Span
    cx: float  # normalized centre of the head
    cy: float
    height: float  # head height as a fraction of the frame height
    variant: int = 0


@dataclass(frozen=True)
class ClipScript:
    seconds: float
    width: int = 640
    height: int = 360
    fps: int = 10
    gop_s: float = 1.0
    bitrate: int = 1_200_000
    seed: int = 7
    noise_sigma: float = 2.5
    black: tuple[Span, ...] = ()
    blur: tuple[Span, ...] = ()
    frozen: tuple[Span, ...] = ()
    moved: tuple[Span, ...] = ()
    move_shift: tuple[float, float] = (0.05, 0.03)  # fraction of width / height
    move_rotation_deg: float = 1.5
    faces: tuple[FacePlacement, ...] = ()
    audio_rate: int = 16_000
    speech: tuple[Span, ...] = field(default=())  # voiced spans (quiet unless also in `loud`)
    loud: tuple[Span, ...] = ()
    quiet_amplitude: float = 0.02
    loud_amplitude: float = 0.25
    noise_floor: float = 0.0015


def _in_any(spans: tuple[Span, ...], t: float) -> bool:
    return any(s.covers(t) for s in spans)


def scene_background(width: int, height: int, seed: int) -> U8Array:
    """A static office wall with posters and notices above a counter, in BGR."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    wall = 150 + 30 * np.sin(x / width * 3.0) + 20 * (y / height)
    image = np.dstack([wall * 0.95, wall, wall * 1.05]).clip(0, 255).astype(np.uint8)
    for _ in range(14):
        x0, y0 = int(rng.integers(0, width - 40)), int(rng.integers(0, int(height * 0.55)))
        w, h = int(rng.integers(width // 20, width // 6)), int(rng.integers(height // 15, height // 4))
        color = tuple(int(c) for c in rng.integers(30, 230, 3))
        cv2.rectangle(image, (x0, y0), (x0 + w, y0 + h), color, -1)
        cv2.rectangle(image, (x0, y0), (x0 + w, y0 + h), (20, 20, 20), max(1, width // 640))
        for line in range(3):
            cv2.putText(
                image,
                f"NO {int(rng.integers(100, 999))}",
                (x0 + 4, y0 + 14 + line * 14 * width // 640),
                cv2.FONT_HERSHEY_SIMPLEX,
                0.35 * width / 640,
                (250, 250, 250),
                1,
            )
    counter_y = int(height * 0.72)
    cv2.rectangle(image, (0, counter_y), (width, height), (60, 80, 110), -1)
    for i in range(0, width, max(8, width // 40)):
        cv2.line(image, (i, counter_y), (i + width // 50, height), (45, 62, 90), 1)
    cv2.line(image, (width // 2, 0), (width // 2, counter_y), (40, 40, 40), max(2, width // 320))
    return image


@lru_cache(maxsize=1)
def head_crop() -> U8Array:
    """The astronaut's head (Eileen Collins, NASA, public domain) from the test image inside the scikit-image wheel."""
    with importlib.resources.as_file(importlib.resources.files("skimage.data") / "astronaut.png") as png:
        astronaut = cv2.imread(str(png), cv2.IMREAD_COLOR)
    if astronaut is None:
        raise FileNotFoundError("astronaut.png is missing from the installed scikit-image")
    return np.ascontiguousarray(np.asarray(astronaut, dtype=np.uint8)[15:225, 145:305])


def _head_variant(variant: int) -> U8Array:
    head = head_crop()
    if variant % 2 == 1:
        head = np.ascontiguousarray(head[:, ::-1])
    if variant >= 2:
        head = np.clip(head.astype(np.int16) + np.array([-20, 5, 25], dtype=np.int16), 0, 255).astype(np.uint8)
    return head


@lru_cache(maxsize=64)
def _sprite(variant: int, target_h: int) -> tuple[U8Array, F32Array]:
    """The head scaled to ``target_h`` pixels and its feathered elliptical alpha mask."""
    head = _head_variant(variant)
    target_w = max(8, round(head.shape[1] * target_h / head.shape[0]))
    scaled = np.asarray(cv2.resize(head, (target_w, target_h), interpolation=cv2.INTER_AREA), dtype=np.uint8)
    mask = np.zeros((target_h, target_w), dtype=np.float32)
    cv2.ellipse(mask, (target_w // 2, target_h // 2), (target_w // 2, target_h // 2), 0, 0, 360, 1.0, -1)
    alpha = np.asarray(cv2.GaussianBlur(mask, (0, 0), max(1.0, target_w / 30)), dtype=np.float32)[..., None]
    return scaled, alpha


def paste_head(image: U8Array, placement: FacePlacement, t: float) -> None:
    height, width = image.shape[:2]
    scaled, mask = _sprite(placement.variant, max(8, round(placement.height * height)))
    target_h, target_w = scaled.shape[:2]
    # A person is never still: a small sway keeps live frames changing.
    cx = placement.cx * width + 0.01 * width * math.sin(1.3 * t + placement.variant)
    cy = placement.cy * height + 0.006 * height * math.sin(0.9 * t)
    x0, y0 = round(cx - target_w / 2), round(cy - target_h / 2)
    xa, ya = max(0, x0), max(0, y0)
    xb, yb = min(width, x0 + target_w), min(height, y0 + target_h)
    if xa >= xb or ya >= yb:
        return
    patch = scaled[ya - y0 : yb - y0, xa - x0 : xb - x0].astype(np.float32)
    alpha = mask[ya - y0 : yb - y0, xa - x0 : xb - x0]
    region = image[ya:yb, xa:xb].astype(np.float32)
    image[ya:yb, xa:xb] = (alpha * patch + (1 - alpha) * region).astype(np.uint8)


def _moved(image: U8Array, script: ClipScript) -> U8Array:
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), script.move_rotation_deg, 1.0)
    matrix[0, 2] += script.move_shift[0] * w
    matrix[1, 2] += script.move_shift[1] * h
    return np.asarray(cv2.warpAffine(image, matrix, (w, h), borderMode=cv2.BORDER_REFLECT), dtype=np.uint8)


class FrameRenderer:
    """Renders frame `index` of a script; holds the frozen frame and a bank of sensor noise."""

    def __init__(self, script: ClipScript) -> None:
        self.script = script
        self.background = scene_background(script.width, script.height, script.seed)
        rng = np.random.default_rng(script.seed + 1)
        shape = (script.height, script.width, 3)
        self.noise = [rng.normal(0, script.noise_sigma, shape).astype(np.int16) for _ in range(6)]
        self._held: U8Array | None = None

    def render(self, index: int) -> U8Array:
        s = self.script
        t = index / s.fps
        if _in_any(s.frozen, t) and self._held is not None:
            return self._held
        if _in_any(s.black, t):
            dark = np.full((s.height, s.width, 3), 12, dtype=np.int16) + self.noise[index % 6] // 2
            frame = dark.clip(0, 255).astype(np.uint8)
        else:
            image = self.background.copy()
            hand = (s.width * 0.9, s.height * 0.12)
            angle = t * 0.8
            tip = (int(hand[0] + s.height * 0.08 * math.cos(angle)), int(hand[1] + s.height * 0.08 * math.sin(angle)))
            cv2.circle(image, (int(hand[0]), int(hand[1])), int(s.height * 0.09), (235, 235, 235), -1)
            cv2.line(image, (int(hand[0]), int(hand[1])), tip, (10, 10, 10), max(2, s.width // 320))
            for placement in s.faces:
                if placement.span.covers(t):
                    paste_head(image, placement, t)
            if _in_any(s.moved, t):
                image = _moved(image, s)
            if _in_any(s.blur, t):
                image = np.asarray(cv2.GaussianBlur(image, (0, 0), s.width / 160), dtype=np.uint8)
            noisy = image.astype(np.int16) + self.noise[index % 6]
            frame = noisy.clip(0, 255).astype(np.uint8)
        self._held = frame
        return frame


def speech_like(n: int, rate: int, seed: int) -> F64Array:
    """`n` samples at `rate` of a voiced, speech-like signal (unit peak): a gliding 110-180 Hz harmonic
    series shaped by three formants, in ~4 syllables a second with short pauses."""
    rng = np.random.default_rng(seed)
    # sum_k a_k sin(k phase + r_k) = Im(sum_k a_k e^(i r_k) z^k) with z = e^(i phase): one polynomial in z,
    # evaluated by Horner's rule, chunk by chunk: 29 sines per sample made minutes of demo audio slow and large.
    coefficients: list[complex] = []
    for k in range(1, 30):
        freq = 140.0 * k
        gain = sum(math.exp(-(((freq - fmt) / bw) ** 2)) for fmt, bw in ((550, 250), (1500, 350), (2500, 450)))
        coefficients.append((0.15 + gain) / k**0.5 * cmath.exp(1j * rng.uniform(0, 2 * math.pi)))
    out = np.empty(n, dtype=np.float64)
    cycles = 0.0  # the running sum of f0 carried from chunk to chunk
    for lo in range(0, n, _CHUNK):
        t = np.arange(lo, min(n, lo + _CHUNK), dtype=np.float64) / rate
        f0 = 140 + 25 * np.sin(2 * math.pi * 0.7 * t) + 15 * np.sin(2 * math.pi * 3.1 * t)
        running = cycles + np.cumsum(f0)
        cycles = float(running[-1])
        z = np.exp(1j * (2 * math.pi / rate) * running)
        acc = np.full_like(z, coefficients[-1])
        for c in reversed(coefficients[:-1]):
            acc *= z
            acc += c
        acc *= z
        syllable = np.clip(np.sin(2 * math.pi * 4.0 * t), 0, None) ** 0.6
        pause = np.sin(2 * math.pi * 0.37 * t) > -0.85
        out[lo : lo + len(t)] = acc.imag * syllable * pause
    peak = float(np.max(np.abs(out))) if n else 1.0
    if peak > 0:
        out /= peak
    return out


def render_audio(script: ClipScript) -> F64Array:
    n = round(script.seconds * script.audio_rate)
    audio = speech_like(n, script.audio_rate, script.seed)
    width = max(1, script.audio_rate // 50)
    kernel = np.ones(width) / width  # level changes are smoothed over 20 ms, as a voice does
    noise = np.random.default_rng(script.seed + 2)
    for lo in range(0, n, _CHUNK):
        hi = min(n, lo + _CHUNK)
        # The level a kernel-width either side of the chunk too, so smoothing sees what it would see whole.
        a, b = max(0, lo - width), min(n, hi + width)
        t = np.arange(a, b, dtype=np.float64) / script.audio_rate
        level = np.zeros(b - a)
        for span in script.speech:
            level[(t >= span.start_s) & (t < span.end_s)] = script.quiet_amplitude
        for span in script.loud:
            level[(t >= span.start_s) & (t < span.end_s)] = script.loud_amplitude
        smooth = oaconvolve(level, kernel, mode="same")[lo - a : hi - a]
        audio[lo:hi] = np.clip(audio[lo:hi] * smooth + noise.normal(0, script.noise_floor, hi - lo), -1, 1)
    return audio


def write_window_clip(
    path: Path, script: ClipScript, render: Callable[[int], U8Array] | None = None, preset: str = "ultrafast"
) -> Path:
    """Encode the script as H.264 (fixed GOP) + AAC mono in MP4."""
    path.parent.mkdir(parents=True, exist_ok=True)
    renderer = render or FrameRenderer(script).render
    samples = render_audio(script)
    samples *= 32767  # in place: a long clip's samples are large
    audio = samples.astype(np.int16)
    frames = round(script.seconds * script.fps)
    per_frame = script.audio_rate // script.fps
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=script.fps)
        video.width, video.height, video.pix_fmt = script.width, script.height, "yuv420p"
        video.bit_rate = script.bitrate
        gop = max(1, round(script.gop_s * script.fps))
        video.codec_context.gop_size = gop
        video.options = {"preset": preset, "x264-params": f"keyint={gop}:min-keyint={gop}:scenecut=0:bframes=0"}
        stream = out.add_stream("aac", rate=script.audio_rate, layout="mono")
        stream.options = {"aac_coder": "fast"}  # the default two-loop coder took longer than the video
        for index in range(frames):
            frame = av.VideoFrame.from_ndarray(renderer(index), format="bgr24")
            frame.pts = index
            frame.time_base = Fraction(1, script.fps)
            out.mux(video.encode(frame))
            chunk = audio[index * per_frame : (index + 1) * per_frame]
            if len(chunk):
                aframe = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s16", layout="mono")
                aframe.sample_rate = script.audio_rate
                aframe.pts = index * per_frame
                aframe.time_base = Fraction(1, script.audio_rate)
                out.mux(stream.encode(aframe))
        out.mux(video.encode(None))
        out.mux(stream.encode(None))
    return path
