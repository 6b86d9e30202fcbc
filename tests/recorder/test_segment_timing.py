"""Stored segments play their frames when the source did, with the audio in step.

Each source is generated at test time and recorded by the real CLI in 4 s segments: G.711 (the
recorder encodes AAC, whose 1024 priming samples once pushed every frame after a segment's first
128 ms late), AAC in MP4 and AAC in ADTS (MPEG-TS), both copied. Video is compared with the
source frame by frame; audio sync is measured on the generated tone, which is louder in every odd
second, so its loudness edges fall on whole seconds of the source. A stream-copy clip of all
the segments (the evidence export) must keep both across the joins.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from seffaf.evidence.clip import ClipCutter, ClipPart
from seffaf.evidence.cut_points import SegmentCut
from seffaf.manifests import SegmentManifest
from seffaf.storage.local import LocalObjectStore
from seffaf.synthetic_media import SyntheticClip, write_clip
from tests.support.cli import seffaf
from tests.support.footage import stored_manifests

CAMERA = "w1"
FPS = 25
SEGMENT_S = 4
AAC_FRAME_SAMPLES = 1024
EDGE_TOLERANCE_S = 0.02  # the loudness edge is found in 10 ms windows of decoded (lossy) audio
EDGE_MARGIN_S = 0.15  # edges this close to an end of the audio are not looked for: decoder warm-up


@dataclass(frozen=True)
class Packets:
    """One video track's frames in presentation order, as (pts, time in seconds)."""

    pts: list[int]
    seconds: list[Fraction]
    tick: Fraction
    end: Fraction  # the last frame's end


@dataclass(frozen=True)
class AudioTiming:
    first_s: float  # the first decoded sample
    packets_end_s: float  # the last packet's end, as the container states it
    edges_s: list[float]  # where the tone changes loudness
    span_s: tuple[float, float]  # where decoded audio was found


@dataclass(frozen=True)
class Recorded:
    source: Path
    store: LocalObjectStore
    manifests: list[SegmentManifest]
    rate: int


@pytest.fixture(scope="module")
def ts_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """AAC behind ADTS headers, as an MPEG-TS camera sends it."""
    clip = SyntheticClip(seconds=8.0, width=320, height=180, fps=FPS, audio="aac", audio_rate=16_000)
    return write_clip(tmp_path_factory.mktemp("camera") / "camera.ts", clip)


@pytest.fixture(scope="module", params=["g711_clip", "aac_clip", "ts_clip"])
def recorded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    source: Path = request.getfixturevalue(request.param)
    work = tmp_path_factory.mktemp(request.param)
    result = seffaf(
        "record", "--camera", CAMERA, "--source", str(source), "--storage", (work / "objects").as_uri(),
        "--spool", str(work / "spool"), "--start-time", "2026-05-01T09:00:00+04:00",
        "--segment-seconds", str(SEGMENT_S), cwd=work,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    store = LocalObjectStore(work / "objects")
    with av.open(str(source)) as container:
        rate = container.streams.audio[0].sample_rate
    return Recorded(source, store, stored_manifests(store, CAMERA), rate)


def video_packets(path: Path) -> Packets:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        tick = stream.time_base or Fraction(1, 90_000)
        found = sorted((p.pts, p.duration or 0) for p in container.demux(stream) if p.size and p.pts is not None)
    pts = [p for p, _ in found]
    return Packets(pts, [p * tick for p in pts], tick, (found[-1][0] + found[-1][1]) * tick)


def audio_timing(path: Path) -> AudioTiming:
    """Decoded audio placed by its own timestamps (no contiguity assumed), and the tone's loudness edges."""
    windows: list[tuple[float, bool]] = []
    packets_end = 0.0
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        for packet in container.demux(stream):
            if packet.pts is not None and packet.time_base is not None and packet.size:
                packets_end = max(packets_end, float((packet.pts + (packet.duration or 0)) * packet.time_base))
            for frame in packet.decode():
                assert frame.pts is not None and frame.time_base is not None
                start = float(frame.pts * frame.time_base)
                # A segment's last AAC frame is padded; its packet's duration says how much of it plays.
                plays = frame.samples
                if packet.duration:
                    plays = min(plays, round(packet.duration * packet.time_base * frame.sample_rate))
                samples = frame.to_ndarray()[0][:plays]
                step = frame.sample_rate // 100
                for offset in range(0, len(samples) - step + 1, step):
                    loud = float(np.abs(samples[offset : offset + step]).max()) > 0.4  # 0.5 vs 0.3 of full scale
                    windows.append((start + offset / frame.sample_rate, loud))
    windows.sort()
    first, last = windows[0][0], windows[-1][0] + 0.01
    edges = [b[0] for a, b in itertools.pairwise(windows) if a[1] != b[1]]
    inner = [e for e in edges if first + EDGE_MARGIN_S < e < last - EDGE_MARGIN_S]
    return AudioTiming(first, packets_end, inner, (first, last))


def assert_audio_in_step(audio: AudioTiming, clip_offset_s: float, where: str) -> None:
    """Every loudness edge on a whole second of the source, and none missing."""
    low, high = audio.span_s[0] + EDGE_MARGIN_S, audio.span_s[1] - EDGE_MARGIN_S
    expected = [s - clip_offset_s for s in range(math.ceil(low + clip_offset_s), math.floor(high + clip_offset_s) + 1)]
    expected = [e for e in expected if low < e < high]
    assert len(audio.edges_s) == len(expected), (where, audio.edges_s, expected)
    for edge, want in zip(audio.edges_s, expected, strict=True):
        assert edge == pytest.approx(want, abs=EDGE_TOLERANCE_S), (where, audio.edges_s, expected)


def test_every_frame_plays_at_its_source_time_and_audio_keeps_step(recorded: Recorded, tmp_path: Path) -> None:
    source = video_packets(recorded.source)
    zero = source.seconds[0]  # the generated clip's frame 0 (MPEG-TS starts its clock later)
    assert len(recorded.manifests) >= 2
    recording_start = recorded.manifests[0].start
    for manifest in recorded.manifests:
        path = tmp_path / f"{manifest.seq}.mp4"
        path.write_bytes(recorded.store.get(manifest.key))
        stored = video_packets(path)
        where = f"seq {manifest.seq}"
        assert len(stored.pts) == manifest.video.packets, where
        # The segment's first keyframe in the source (a file's wall clock is its stream clock).
        first = round((manifest.start - recording_start).total_seconds() * FPS)
        # Frame k at the source's time of that frame minus the keyframe's, to the tick; at 25 fps: k/25.
        expected = [s - source.seconds[first] for s in source.seconds[first : first + len(stored.seconds)]]
        assert len(expected) == len(stored.seconds), where
        assert all(abs(got - want) < stored.tick for got, want in zip(stored.seconds, expected, strict=True)), where
        assert stored.seconds[0] == 0
        assert [round(float(s), 6) for s in stored.seconds] == [round(k / FPS, 6) for k in range(len(stored.seconds))]
        assert float(stored.end) == pytest.approx(manifest.duration_s, abs=1e-6), where  # manifest = media

        audio = audio_timing(path)
        assert abs(audio.first_s) <= AAC_FRAME_SAMPLES / recorded.rate, where
        assert audio.packets_end_s == pytest.approx(manifest.duration_s, abs=0.1), where
        assert_audio_in_step(audio, float(source.seconds[first] - zero), where)


def test_a_stream_copy_clip_of_the_segments_keeps_frames_and_audio_in_place(recorded: Recorded, tmp_path: Path) -> None:
    parts = []
    for manifest in recorded.manifests:
        path = tmp_path / f"{manifest.seq}.mp4"
        path.write_bytes(recorded.store.get(manifest.key))
        parts.append(ClipPart(path, manifest.key, manifest.start, SegmentCut(manifest.seq, None, None)))
    clip = tmp_path / "clip.mp4"
    ClipCutter().cut(parts, clip)
    frames = video_packets(clip)
    start: datetime = recorded.manifests[0].start
    frame_count = round(sum(m.duration_s for m in recorded.manifests) * FPS)
    assert len(frames.seconds) == frame_count
    assert [round(float(s), 6) for s in frames.seconds] == [round(k / FPS, 6) for k in range(frame_count)]
    assert (recorded.manifests[-1].end - start).total_seconds() == pytest.approx(float(frames.end), abs=1e-6)
    with av.open(str(clip)) as container:
        stream = container.streams.audio[0]
        spans = [(p.pts, p.duration) for p in container.demux(stream) if p.size and p.pts is not None]
    # Audio runs on across every join: each packet starts where the one before ended.
    assert all(a[0] + (a[1] or 0) == b[0] for a, b in itertools.pairwise(spans))
    assert_audio_in_step(audio_timing(clip), 0.0, "clip")  # the recording starts on the source's frame 0
