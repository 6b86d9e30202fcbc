"""Reading back what the recorder stored: manifests, decodability, durations."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av

from seffaf.keys import segment_prefix
from seffaf.manifests import SegmentManifest
from seffaf.storage.base import ObjectStore


def stored_manifests(store: ObjectStore, camera: str) -> list[SegmentManifest]:
    keys = [info.key for info in store.list(segment_prefix(camera)) if info.key.endswith(".json")]
    return [SegmentManifest.model_validate_json(store.get(key)) for key in keys]


@dataclass(frozen=True)
class Decoded:
    video_frames: int
    audio_frames: int
    video_seconds: float
    audio_codec: str | None


def decode_file(path: Path) -> Decoded:
    """Fully decode a segment: proof that it plays, not only that it parses."""
    video_frames = audio_frames = 0
    last_end = 0.0
    with av.open(str(path)) as container:
        audio_codec = container.streams.audio[0].codec_context.name if container.streams.audio else None
        for frame in container.decode(*container.streams):
            if isinstance(frame, av.VideoFrame):
                video_frames += 1
                if frame.pts is not None and frame.time_base is not None:
                    last_end = max(last_end, float(frame.pts * frame.time_base))
            elif isinstance(frame, av.AudioFrame):
                audio_frames += 1
    return Decoded(video_frames, audio_frames, last_end, audio_codec)


def download(store: ObjectStore, key: str, directory: Path) -> Path:
    target = directory / key.replace("/", "_")
    target.write_bytes(store.get(key))
    return target
