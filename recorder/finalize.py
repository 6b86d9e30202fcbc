"""Turning a written (or crash-left) segment file into a hash-chained manifest."""

from __future__ import annotations

import hashlib
import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

import av

from recorder.fmp4 import complete_fragments_length
from recorder.spool import ChainState, OpenSegment, PendingGap, Spool
from seffaf import __version__
from seffaf.keys import GapKey
from seffaf.manifests import AudioTrack, GapManifest, RecorderInfo, SegmentManifest, VideoTrack

logger = logging.getLogger(__name__)


class CameraIdentity(Protocol):
    @property
    def camera(self) -> str: ...
    @property
    def center(self) -> str | None: ...
    @property
    def window(self) -> int | None: ...


@dataclass(frozen=True)
class TrackCounts:
    video_packets: int
    audio_packets: int
    keyframe_offsets_s: list[float]
    duration_s: float
    warnings: list[str] = field(default_factory=list)


def recorder_info() -> RecorderInfo:
    return RecorderInfo(host=socket.gethostname(), version=__version__)


def probe_segment(path: Path) -> TrackCounts:
    """Count packets and keyframes by demuxing (no decoding) a closed segment."""
    video_packets = audio_packets = 0
    keyframes: list[float] = []
    end_s = 0.0
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        for packet in container.demux():
            if packet.pts is None or packet.time_base is None:
                continue
            if packet.stream is video:
                video_packets += 1
                t = float(packet.pts * packet.time_base)
                if packet.is_keyframe:
                    keyframes.append(round(t, 6))
                end_s = max(end_s, t + float((packet.duration or 0) * packet.time_base))
            else:
                audio_packets += 1
    return TrackCounts(video_packets, audio_packets, keyframes, round(end_s, 6))


def hash_segment(path: Path) -> tuple[int, str]:
    """Size and SHA-256 of a closed segment, both from one open descriptor.

    file_digest reads into one reused buffer instead of allocating a new chunk per read.
    """
    with path.open("rb", buffering=0) as handle:
        size = os.fstat(handle.fileno()).st_size
        return size, hashlib.file_digest(handle, "sha256").hexdigest()


def build_manifest(
    opened: OpenSegment,
    media_path: Path,
    counts: TrackCounts,
    written_at: datetime,
    recovered: bool,
) -> SegmentManifest:
    size_bytes, sha256 = hash_segment(media_path)
    audio = None
    if opened.audio_stored_codec is not None and opened.audio_source_codec is not None:
        audio = AudioTrack(
            source_codec=opened.audio_source_codec,
            stored_codec=opened.audio_stored_codec,
            sample_rate=opened.audio_sample_rate,
            channels=opened.audio_channels,
            packets=counts.audio_packets,
        )
    return SegmentManifest(
        center=opened.center,
        window=opened.window,
        camera=opened.camera,
        seq=opened.seq,
        key=opened.key,
        start=opened.start,
        end=opened.start + timedelta(seconds=counts.duration_s),
        duration_s=counts.duration_s,
        keyframe_offsets_s=counts.keyframe_offsets_s,
        video=VideoTrack(
            codec=opened.video_codec, width=opened.width, height=opened.height, packets=counts.video_packets
        ),
        audio=audio,
        audio_status=opened.audio_status,
        warnings=[*opened.warnings, *counts.warnings],
        size_bytes=size_bytes,
        sha256=sha256,
        prev_sha256=opened.prev_sha256,
        recovered=recovered,
        source=opened.source,
        recorder=recorder_info(),
        written_at=written_at,
    )


def commit_segment(
    spool: Spool, opened: OpenSegment, counts: TrackCounts, written_at: datetime, recovered: bool = False
) -> tuple[SegmentManifest, ChainState]:
    manifest = build_manifest(opened, spool.part_path(opened.seq), counts, written_at, recovered)
    spool.commit(manifest)
    state = ChainState.after(manifest)
    spool.save_state(state)
    return manifest, state


def recover_leftover(
    spool: Spool, opened: OpenSegment, written_at: datetime, cause: str = "recorder crash"
) -> SegmentManifest | None:
    """Close a segment a crash (or a write that failed) left open: cut to the last whole fragment, then commit.

    Returns None (and drops the leftovers) when not even one fragment was complete.
    """
    pending = spool.pending_manifest_path(opened.seq)
    if pending.exists():  # the crash hit inside commit(): the manifest is already final
        manifest = SegmentManifest.model_validate_json(pending.read_text())
        spool.finish_commit(opened.seq)
        return manifest
    part = spool.part_path(opened.seq)
    if not part.exists():
        spool.discard_open(opened.seq)
        return None
    keep, fragments = complete_fragments_length(part.read_bytes())
    if fragments == 0:
        logger.warning("camera %s: partial segment %s had no complete fragment", opened.camera, part)
        spool.discard_open(opened.seq)
        return None
    lost_bytes = part.stat().st_size - keep
    with part.open("r+b") as handle:
        handle.truncate(keep)
        handle.flush()
        os.fsync(handle.fileno())
    if opened.gap_before is not None and opened.start > opened.gap_before.start:
        spool.add_gap(build_gap(opened, opened.seq - 1, opened.gap_before, opened.start, written_at))
    counts = probe_segment(part)
    note = f"recovered after {cause}: kept {fragments} complete fragments, dropped {lost_bytes} bytes"
    counts = TrackCounts(
        counts.video_packets, counts.audio_packets, counts.keyframe_offsets_s, counts.duration_s, [note]
    )
    logger.warning("camera %s: seq %d %s", opened.camera, opened.seq, note)
    manifest, _ = commit_segment(spool, opened, counts, written_at, recovered=True)
    return manifest


def build_gap(
    opened_like: CameraIdentity, after_seq: int, pending: PendingGap, end: datetime, written_at: datetime
) -> GapManifest:
    key = GapKey(opened_like.camera, after_seq, pending.start, pending.cause.value).encode()
    return GapManifest(
        center=opened_like.center,
        window=opened_like.window,
        camera=opened_like.camera,
        key=key,
        after_seq=after_seq,
        start=pending.start,
        end=end,
        cause=pending.cause,
        detail=pending.detail,
        recorder=recorder_info(),
        written_at=written_at,
    )
