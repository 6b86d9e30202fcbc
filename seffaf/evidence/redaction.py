"""Face redaction for exports: citizens' faces pixelated, the operator's zone left as recorded.

The source (an MP4 of H.264 video, usually with AAC audio) is decoded once. The face detector
(CenterFace, see ``indexer.analytics.facedetect``) runs on a downscaled copy of the part of the
picture outside the keep zone (plus a margin, so a face across the border is seen whole): on the
first and last frames, at least every ``max_every`` frames, on a scene cut, and every ``every``
frames while the written-out picture changes outside the boxes already blurred, then only around
what changed (``redaction_gating``). The boxes found are carried to the frames around each run
(``redaction_boxes``), and kept from run to run while nothing moves under them. A face whose centre
lies in the keep zone is the operator's and is left alone; every other face box is padded and
pixelated (averaged into a coarse mosaic: the detail is gone, not merely smoothed), but never over
a pixel of the keep zone.

Pixels are changed in the decoded YUV planes, so frames without faces and the keep zone go to the
encoder as decoded: re-encoding (libx264) is their only loss. Timestamps, frame rate, resolution
and the source's keyframe positions are kept. Audio is copied packet for packet, not redacted.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Protocol

import av
import cv2
import numpy as np
import numpy.typing as npt
from av.audio.stream import AudioStream
from av.container import InputContainer, OutputContainer
from av.video.frame import VideoFrame
from av.video.stream import VideoStream

from indexer.analytics.facedetect import MODEL_VERSION, Face
from seffaf.evidence.redaction_boxes import (
    Box,
    carried,
    check_zone,
    detection_region,
    in_zone,
    outside,
    padded,
    zone_pixels,
)
from seffaf.evidence.redaction_gating import DetectionGate, GateSettings, kept_boxes, luma_thumb
from seffaf.evidence.redactor import RedactionResult, ZoneBox

U8Array = npt.NDArray[np.uint8]
logger = logging.getLogger(__name__)

METHOD_VERSION = "v2"  # v2: motion-gated detector runs, boxes kept while unchanged


class FaceDetector(Protocol):
    def detect(self, bgr: U8Array, threshold: float) -> tuple[Face, ...]: ...


@dataclass(frozen=True)
class RedactionSettings:
    every: int = 3  # while the picture changes, the detector runs on every Nth frame; boxes cover N frames either side
    max_every: int = 24  # and however still the picture, on at least every Nth frame
    motion_threshold: float = 6.0  # grey levels over 16x16 pixels: a change that forces a run (see redaction_gating)
    scene_threshold: float = 30.0  # grey levels over the whole picture since the previous frame: a run at once
    cell: int = 8  # pixels per thumbnail cell for the gate
    threshold: float = 0.3  # below the analytics' 0.5: a blurred non-face costs little, a missed face a lot
    pad: float = 0.3  # of the face box's width / height, each side
    cells: int = 8  # mosaic cells across the longer side of the padded box
    detect_width: int = 640  # the picture is downscaled to at most this width for the detector
    region_margin: float = 0.1  # of the picture, searched beyond the keep zone's border
    crf: int = 20
    preset: str = "veryfast"

    def __post_init__(self) -> None:
        checks = {
            "every": self.every >= 1,
            "max_every": self.max_every >= self.every,
            "motion_threshold": 0.0 < self.motion_threshold <= 255.0,
            "scene_threshold": 0.0 < self.scene_threshold <= 255.0,
            "cell": 2 <= self.cell <= 64,
            "threshold": 0.0 < self.threshold < 1.0,
            "pad": 0.0 <= self.pad <= 2.0,
            "cells": 2 <= self.cells <= 64,
            "detect_width": self.detect_width >= 64,
            "region_margin": 0.0 <= self.region_margin <= 0.5,
            "crf": 0 <= self.crf <= 51,
            "preset": bool(self.preset),
        }
        for name, ok in checks.items():
            if not ok:
                raise ValueError(f"RedactionSettings.{name} is out of range: {getattr(self, name)!r}")


def pixelate(plane: U8Array, box: Box, keep: Box | None, cells: int) -> None:
    """Replace ``box`` of ``plane`` (in place) by a mosaic of about ``cells`` cells across its longer side,
    except the pixels inside ``keep``, which stay as they are."""
    region = plane[box.y0 : box.y1, box.x0 : box.x1]
    h, w = region.shape[:2]
    if h == 0 or w == 0:
        return
    cell = max(h, w) / cells
    small = cv2.resize(region, (max(1, round(w / cell)), max(1, round(h / cell))), interpolation=cv2.INTER_AREA)
    mosaic = np.asarray(cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST), dtype=np.uint8)
    for part in outside(box, keep):
        plane[part.y0 : part.y1, part.x0 : part.x1] = mosaic[
            part.y0 - box.y0 : part.y1 - box.y0, part.x0 - box.x0 : part.x1 - box.x0
        ]


def _same_timing(new: VideoFrame, old: VideoFrame) -> VideoFrame:
    new.pts, new.time_base, new.duration = old.pts, old.time_base, old.duration
    new.pict_type = old.pict_type  # keeps the source's keyframes where they were
    new.color_range, new.colorspace = old.color_range, old.colorspace
    return new


@dataclass(frozen=True)
class _Run:
    boxes: tuple[Box, ...]  # padded, frame pixels: the faces found and the boxes kept from the run before
    found: int  # faces the detector found (the count the result reports)
    thumb: U8Array


_NO_RUN = _Run((), 0, np.zeros((0, 0), dtype=np.uint8))


class _Pass:
    """One redaction pass. The gate decides on the main thread, frame by frame, whether the detector runs;
    the detector works on a thread of its own (OpenCV's DNN on one core, the encoder on the other). A frame
    waits until the runs around it are done, then is blurred and encoded."""

    def __init__(
        self,
        detector: FaceDetector,
        settings: RedactionSettings,
        keep: ZoneBox | None,
        width: int,
        height: int,
        out: OutputContainer,
        video: VideoStream,
        worker: ThreadPoolExecutor,
    ) -> None:
        self.detector = detector
        self.s = settings
        self.keep = keep
        self.keep_px = zone_pixels(keep, width, height) if keep is not None else None
        self.region = detection_region(keep, settings.region_margin)
        self.width, self.height = width, height
        self.out, self.video, self.worker = out, video, worker
        gate = GateSettings(
            settings.motion_threshold, settings.scene_threshold, settings.every, settings.max_every, settings.cell
        )
        self.gate = DetectionGate(gate, self.keep_px, width, height)
        self.pending: deque[tuple[int, VideoFrame, U8Array]] = deque()
        self.runs: dict[int, Future[_Run]] = {}
        self.last_run: Future[_Run] | None = None
        self.whole: set[int] = set()  # frames with a run over the whole region
        self.backlog = settings.max_every + 2 * settings.every + 8  # frames held before waiting for the detector
        self.frames = 0
        self.faces = 0

    def push(self, frame: VideoFrame) -> None:
        if frame.format.name != "yuv420p":
            frame = _same_timing(frame.reformat(format="yuv420p"), frame)
        index = self.frames
        self.frames += 1
        plane = frame.planes[0]  # the Y plane, read in place: rows are line_size apart
        rows = np.frombuffer(memoryview(plane), dtype=np.uint8)[: self.height * plane.line_size]
        luma = rows.reshape(self.height, plane.line_size)[:, : self.width]
        thumb = luma_thumb(luma, self.s.cell)
        self.pending.append((index, frame, thumb))
        if self.region is not None:
            run = self.gate.decide(index, thumb, self._last_boxes)
            if run is not None:
                self._submit(index, frame, thumb, run.area)
        self._release(final=False)

    def finish(self) -> None:
        # The last frame gets a run over the whole region, after any partial one there: the boxes it finds
        # are carried back to the run before.
        if self.region is not None and self.pending and self.pending[-1][0] not in self.whole:
            self._submit(*self.pending[-1], None)
        self._release(final=True)
        self.out.mux(self.video.encode(None))

    def _submit(self, index: int, frame: VideoFrame, thumb: U8Array, area: Box | None) -> None:
        self.last_run = self.runs[index] = self.worker.submit(self._detect, frame, thumb, area, self.last_run)
        if area is None:
            self.whole.add(index)

    def _last_boxes(self) -> tuple[Box, ...]:
        return self.last_run.result().boxes if self.last_run is not None else ()

    def _release(self, final: bool) -> None:
        """Encode the frames whose boxes are known: every run within ``every`` of them and the runs either
        side have been decided on and have finished (waiting for them only when the backlog is full, or at
        the end)."""
        every = self.s.every
        while self.pending:
            index = self.pending[0][0]
            decided = self.region is None or (self.frames - 1 >= index + every and max(self.runs, default=-1) > index)
            if not (final or decided):
                return  # runs after this frame may still be decided on
            sides = (
                max((k for k in self.runs if k < index), default=None),
                min((k for k in self.runs if k > index), default=None),
            )
            near = {k: run for k, run in self.runs.items() if abs(k - index) <= every or k in sides}
            if not (final or len(self.pending) > self.backlog or all(run.done() for run in near.values())):
                return
            _, frame, _ = self.pending.popleft()
            boxes = carried(index, {k: run.result().boxes for k, run in near.items()}, every)
            self.out.mux(self.video.encode(self._blurred(frame, boxes)))
            latest_before = max((k for k in self.runs if k <= index), default=None)
            for k in [k for k in self.runs if k < index - every and k != latest_before]:
                del self.runs[k]

    def _detect(self, frame: VideoFrame, thumb: U8Array, area: Box | None, previous: Future[_Run] | None) -> _Run:
        """Faces in the detection region, or only in ``area`` of it (frame pixels), plus the boxes kept from
        the run before."""
        scale = min(1.0, self.s.detect_width / self.width)
        sw, sh = max(1, round(self.width * scale)), max(1, round(self.height * scale))
        bgr = np.asarray(frame.reformat(width=sw, height=sh, format="bgr24").to_ndarray(), dtype=np.uint8)
        assert self.region is not None  # no run is submitted without a region
        rx = zone_pixels(self.region, sw, sh)
        if area is not None:  # the part of the region around what changed, in detector pixels
            ax0, ay0 = math.floor(area.x0 * scale), math.floor(area.y0 * scale)
            ax1, ay1 = math.ceil(area.x1 * scale), math.ceil(area.y1 * scale)
            rx = Box(max(rx.x0, ax0), max(rx.y0, ay0), min(rx.x1, ax1), min(rx.y1, ay1))
        crop = np.ascontiguousarray(bgr[rx.y0 : rx.y1, rx.x0 : rx.x1])
        boxes = []
        for face in self.detector.detect(crop, self.s.threshold) if not rx.empty else ():
            x0, y0 = (face.x0 + rx.x0) / scale, (face.y0 + rx.y0) / scale
            x1, y1 = (face.x1 + rx.x0) / scale, (face.y1 + rx.y0) / scale
            if in_zone((x0 + x1) / 2, (y0 + y1) / 2, self.keep, self.width, self.height):
                continue  # the operator's face
            boxes.append(padded(x0, y0, x1, y1, self.s.pad, self.width, self.height))
        self.faces += len(boxes)
        # One worker runs the detector in submission order: the run before this one has finished.
        last = previous.result() if previous is not None else _NO_RUN
        looked = Box(*(round(v / scale) for v in (rx.x0, rx.y0, rx.x1, rx.y1))) if area is not None else None
        kept = kept_boxes(last.boxes, boxes, looked, last.thumb, thumb, self.s.cell, self.s.motion_threshold)
        return _Run(tuple(dict.fromkeys((*boxes, *kept))), len(boxes), thumb)

    def _blurred(self, frame: VideoFrame, boxes: tuple[Box, ...]) -> VideoFrame:
        # A box inside another is blurred by it already (boxes kept from one run to the next often are).
        boxes = tuple(b for b in boxes if not any(b != other and b.within(other) for other in boxes))
        if not boxes:
            return frame
        h, w = self.height, self.width
        # A copy: the decoder may still reference the frame.
        planes = np.asarray(frame.to_ndarray(format="yuv420p"), dtype=np.uint8)
        luma = planes[:h]
        chroma = planes[h:].reshape(2, (h + 1) // 2, (w + 1) // 2)
        keep_c = self.keep_px.halved() if self.keep_px is not None else None
        for box in boxes:
            pixelate(luma, box, self.keep_px, self.s.cells)
            for plane in chroma:
                pixelate(plane, box.halved(), keep_c, self.s.cells)
        return _same_timing(VideoFrame.from_ndarray(planes, format="yuv420p"), frame)


class FaceBlurRedactor:
    """A ``Redactor``: pixelates every face the detector finds outside the keep zone, copies the audio."""

    def __init__(self, detector: FaceDetector, settings: RedactionSettings | None = None) -> None:
        self.detector = detector
        self.settings = settings or RedactionSettings()

    @property
    def method(self) -> str:
        s = self.settings
        return (
            f"{MODEL_VERSION} face pixelation {METHOD_VERSION}: every {s.every} frames while the picture changes,"
            f" else every {s.max_every}, at {s.detect_width} px, threshold {s.threshold}, libx264 crf {s.crf}"
            " (audio unchanged)"
        )

    def redact(self, source: Path, target: Path, keep: ZoneBox | None) -> RedactionResult:
        if keep is not None:
            check_zone(keep)
        with av.open(str(source)) as inp:
            if not inp.streams.video:
                raise ValueError(f"source has no video stream: {source}")
            vin = inp.streams.video[0]
            if vin.width % 2 or vin.height % 2:
                raise ValueError(f"source video is {vin.width}x{vin.height}: odd sizes are not supported ({source})")
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                one = self._write(inp, vin, target, keep)
            except BaseException:
                target.unlink(missing_ok=True)  # no half-redacted clip left behind to be mistaken for an export
                raise
        logger.info("redacted %s -> %s: %s frames, %s faces", source, target, one.frames, one.faces)
        return RedactionResult(method=self.method, frames=one.frames, faces_blurred=one.faces)

    def _write(self, inp: InputContainer, vin: VideoStream, target: Path, keep: ZoneBox | None) -> _Pass:
        vin.thread_type = "AUTO"
        audio_in = list(inp.streams.audio)
        with av.open(str(target), "w", format="mp4", options={"movflags": "+faststart"}) as out:
            video = self._video_stream(out, vin)
            audio: dict[int, AudioStream] = {a.index: out.add_stream_from_template(a) for a in audio_in}
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="redaction-detector") as worker:
                one = _Pass(self.detector, self.settings, keep, vin.width, vin.height, out, video, worker)
                for packet in inp.demux(vin, *audio_in):
                    if packet.stream.type == "audio":
                        if packet.dts is None:
                            continue  # the demuxer's end-of-stream marker, not data
                        packet.stream = audio[packet.stream.index]
                        out.mux(packet)
                        continue
                    for frame in packet.decode():
                        if isinstance(frame, VideoFrame):
                            one.push(frame)
                one.finish()
        return one

    def _video_stream(self, out: OutputContainer, vin: VideoStream) -> VideoStream:
        rate = vin.average_rate or vin.guessed_rate or Fraction(25)
        video = out.add_stream("libx264", rate=rate)
        video.width, video.height, video.pix_fmt = vin.width, vin.height, "yuv420p"
        if vin.time_base is not None:
            video.codec_context.time_base = vin.time_base  # the source's timestamps, unchanged
        video.options = {"crf": str(self.settings.crf), "preset": self.settings.preset}
        return video
