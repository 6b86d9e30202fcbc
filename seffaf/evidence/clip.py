"""Cutting a leg's clip from its stored segments by stream copy (PyAV remux): no re-encode.

Every packet keeps its bytes; only timestamps move, so each segment continues where the previous
one ended. The MP4 is written with `faststart` (moov before mdat): it plays in any player,
progressively, and from a web server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import av

from seffaf.evidence.cut_points import CutError, SegmentCut, segment_offset, start_keyframe


@dataclass(frozen=True)
class ClipPart:
    """A local copy of a stored segment and its part in the clip."""

    path: Path
    key: str
    start: datetime
    cut: SegmentCut


@dataclass(frozen=True)
class CutClip:
    start_offset_s: float  # the first segment's keyframe the clip starts on, into that segment
    duration_s: float
    video_packets: int
    audio_packets: int


def _keyframes(path: Path) -> list[float]:
    with av.open(str(path)) as source:
        video = source.streams.video[0]
        return [float(p.pts * p.time_base) for p in source.demux(video)
                if p.is_keyframe and p.pts is not None and p.time_base is not None]  # fmt: skip


def _same_stream(
    template: av.video.stream.VideoStream | av.audio.stream.AudioStream,
    other: av.video.stream.VideoStream | av.audio.stream.AudioStream,
) -> bool:
    mine, theirs = template.codec_context, other.codec_context
    if mine.name != theirs.name or bytes(mine.extradata or b"") != bytes(theirs.extradata or b""):
        return False
    if isinstance(template, av.video.stream.VideoStream) and isinstance(other, av.video.stream.VideoStream):
        return (template.codec_context.width, template.codec_context.height) == (
            other.codec_context.width,
            other.codec_context.height,
        )
    return True


class ClipCutter:
    """One clip per call; `tolerance_s` is how far apart two segments may be and still join."""

    def __init__(self, tolerance_s: float = 0.5) -> None:
        self._tolerance_s = tolerance_s

    def cut(self, parts: list[ClipPart], target: Path) -> CutClip:
        if not parts:
            raise CutError("no segment covers the leg")
        first = parts[0]
        zero_s = start_keyframe(_keyframes(first.path), first.cut.from_s or 0.0)
        with av.open(str(target), "w", format="mp4", options={"movflags": "+faststart"}) as out:
            return self._remux(parts, out, zero_s)

    def _remux(self, parts: list[ClipPart], out: av.container.OutputContainer, zero_s: float) -> CutClip:
        first = parts[0]
        templates: dict[str, av.video.stream.VideoStream | av.audio.stream.AudioStream] = {}
        outputs: dict[str, av.video.stream.VideoStream | av.audio.stream.AudioStream] = {}
        last_dts: dict[str, int] = {}
        counts: dict[str, int] = {"video": 0, "audio": 0}
        prev_end_s = 0.0
        for index, part in enumerate(parts):
            with av.open(str(part.path)) as source:
                inputs: list[av.video.stream.VideoStream | av.audio.stream.AudioStream] = [source.streams.video[0]]
                inputs += source.streams.audio[:1]
                for stream in inputs:
                    kind = stream.type
                    if kind not in templates:
                        if index > 0:
                            raise CutError(f"{part.key}: a {kind} track the clip's first segment does not have")
                        templates[kind] = stream
                        outputs[kind] = out.add_stream_from_template(stream)
                    elif not _same_stream(templates[kind], stream):
                        raise CutError(f"{part.key}: its {kind} track differs from the first segment's (codec, size)")
                wall_s = (part.start - first.start).total_seconds() - zero_s
                offset_s = -zero_s if index == 0 else segment_offset(prev_end_s, wall_s, self._tolerance_s)
                tracks = {s.index: _Track(s, outputs[s.type], offset_s, zero_s if index == 0 else None,
                                          part.cut.until_s, last_dts.get(s.type)) for s in inputs}  # fmt: skip
                _copy_packets(source, inputs, tracks, out)
                for track in tracks.values():
                    counts[track.kind] += track.count
                    if track.last_dts is not None:
                        last_dts[track.kind] = track.last_dts
                    if track.kind == "video":  # audio a segment carries past its last frame is the next one's start
                        prev_end_s = max(prev_end_s, track.end * track.seconds_per_tick)
        if counts["video"] == 0:
            raise CutError(f"{first.key}: no video packet falls inside the leg")
        return CutClip(zero_s, prev_end_s, counts["video"], counts["audio"])


class _Track:
    """One input stream's copy state for one segment, in its own ticks (no Fraction in the packet loop)."""

    __slots__ = ("count", "end", "high", "kind", "last_dts", "low", "output", "seconds_per_tick", "shift")

    def __init__(
        self,
        stream: av.video.stream.VideoStream | av.audio.stream.AudioStream,
        output: av.video.stream.VideoStream | av.audio.stream.AudioStream,
        offset_s: float,
        from_s: float | None,
        until_s: float | None,
        last_dts: int | None,
    ) -> None:
        tick = float(stream.time_base or 0) or 1.0
        self.kind: str = stream.type
        self.output = output
        self.seconds_per_tick = tick
        self.shift = round(offset_s / tick)
        self.low = None if from_s is None else (from_s - 1e-6) / tick
        self.high = None if until_s is None else until_s / tick
        self.last_dts = last_dts
        self.end = 0
        self.count = 0


def _copy_packets(
    source: av.container.InputContainer,
    inputs: list[av.video.stream.VideoStream | av.audio.stream.AudioStream],
    tracks: dict[int, _Track],
    out: av.container.OutputContainer,
) -> None:
    """The hot loop: filter by the cut, move timestamps, mux. Video starts at the start keyframe in
    decode order; audio from that keyframe's time."""
    started = all(track.low is None for track in tracks.values())
    for packet in source.demux(*inputs):
        pts = packet.pts
        if pts is None or packet.size == 0:
            continue
        track = tracks[packet.stream_index]
        if pts < 0 and pts + (packet.duration or 0) <= 0:
            continue  # wholly before the segment's time 0 (AAC priming its edit list skips): would overlap the join
        if track.low is not None:
            if pts < track.low:
                continue
            if track.kind == "video" and not started:
                if not packet.is_keyframe:
                    continue
                started = True
        if track.high is not None and pts >= track.high:
            continue
        dts = packet.dts
        dts = (pts if dts is None else dts) + track.shift
        # Rounding at a join could repeat a timestamp; nudge forward rather than fail the mux.
        nudge = 0 if track.last_dts is None or dts > track.last_dts else track.last_dts + 1 - dts
        packet.pts = pts + track.shift + nudge
        packet.dts = dts + nudge
        track.last_dts = dts + nudge
        end = pts + track.shift + nudge + (packet.duration or 0)
        if end > track.end:
            track.end = end
        packet.stream = track.output
        out.mux_one(packet)
        track.count += 1
